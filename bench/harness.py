#!/usr/bin/env python3
"""Korvet against Apache Kafka 4.3.1 on this machine, measured with Kafka's own tools.

Started by bench/run.sh, which resolves the jars first; see bench/README.md. Python 3 standard library only.

For each scenario, a fresh Kafka (single-node KRaft) and a fresh Korvet per stream format (`batch`: an entry
per record batch, the default; `record`: an entry per record), each Korvet on a redis-server of its own, are
started side by side; each gets the same warm-up (produced, read back, produced again), then the same number of records
from ProducerPerformance, then ConsumerPerformance reads them back. The order of the brokers rotates from one
scenario to the next, forward then backward (ABBA), so that drift in the machine's speed hits all of them.
Every process started here is stopped on exit, on error and on SIGTERM/SIGINT/SIGHUP; every wait is bounded.
"""

import argparse
import base64
import datetime
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
LIB = os.path.join(BENCH, "target", "lib")
CLASSES = os.path.join(BENCH, "target", "classes")
KORVET_JAR = os.path.join(ROOT, "target", "korvet.jar")
# The main-run rates of the last full run, per broker and scenario, to size the next runs right the first time.
RATE_CACHE = os.path.join(BENCH, "target", "rate-estimates.json")
LUA_DIR = os.path.join(ROOT, "src", "main", "resources", "lua")

# What kafka-server-start.sh and kafka-run-class.sh give the broker JVM; Korvet's JVM gets the same. Both also get
# their heap touched at start-up, in 2 MiB pages: on this kind of machine (a VM) the first write to each 4 KiB page
# of memory costs ~11 us, so a young heap a broker had not yet filled once cost Korvet's request threads about a
# third of their CPU in a 3M-record run (faults under every allocation). A broker that has run for a while has
# touched its whole heap; these two flags give a short run that steady state at once, for both brokers alike.
BROKER_JVM = ["-Xmx1G", "-Xms1G", "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
              "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
              "-Djava.awt.headless=true", "-XX:+UseTransparentHugePages", "-XX:+AlwaysPreTouch"]
# What kafka-producer-perf-test.sh / kafka-consumer-perf-test.sh give the tools.
TOOL_JVM = ["-Xmx512M", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"]
CLK_TCK = os.sysconf("SC_CLK_TCK")
BATCH_SIZE_DEFAULT = 16384

STARTED = []  # every Popen this harness started, for cleanup
WORKDIRS = []  # temporary directories (broker data: gigabytes), removed on any exit
COMMANDS = []  # the exact tool command lines run, for RESULTS.md


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- processes

def spawn(cmd, logfile, env=None, cwd=None):
    out = open(logfile, "ab")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                         start_new_session=True)
    out.close()
    STARTED.append(p)
    return p


def stop(p, grace=10.0):
    if p is None or p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=10)


def kill_all():
    for p in STARTED:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for p in STARTED:
        try:
            p.wait(timeout=10)
        except Exception:
            pass


def on_signal(signum, _frame):
    kill_all()
    for d in WORKDIRS:
        shutil.rmtree(d, ignore_errors=True)
    log(f"stopped by signal {signum}; every process started here was killed")
    os._exit(128 + signum)


def run_tool(cmd, logfile, timeout, record=True):
    """Runs a command to completion (bounded); returns (exit code, output, CPU seconds it used)."""
    if record:
        COMMANDS.append(" ".join(shlex.quote(c) for c in cmd))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(logfile, "wb") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        STARTED.append(p)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)
            rc = None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(logfile, "r", errors="replace") as f:
        return rc, f.read(), cpu


def java_tool(main, args, jvm=TOOL_JVM):
    cp = f"{LIB}/*:{CLASSES}"
    return ["java", *jvm, "-cp", cp, main, *args]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- TLS (--tls)

# With --tls every broker listens with TLS only (Kafka on an SSL listener, Korvet on an SSL listener, the same
# PKCS12 key pair) and every tool connects over TLS: None otherwise.
TLS = None
TLS_PASSWORD = "bench-secret"


def make_tls(workdir):
    """A self-signed key pair for 127.0.0.1 and a truststore holding its certificate, made with keytool."""
    d = os.path.join(workdir, "tls")
    os.makedirs(d, exist_ok=True)
    keytool = os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "keytool") if os.environ.get("JAVA_HOME") else "keytool"
    steps = [["-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
              "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", "broker.p12", "-storetype", "PKCS12",
              "-storepass", TLS_PASSWORD],
             ["-exportcert", "-rfc", "-alias", "broker", "-keystore", "broker.p12", "-storepass", TLS_PASSWORD,
              "-file", "broker.pem"],
             ["-importcert", "-noprompt", "-alias", "broker", "-file", "broker.pem", "-keystore", "truststore.p12",
              "-storetype", "PKCS12", "-storepass", TLS_PASSWORD]]
    for step in steps:
        r = subprocess.run([keytool, *step], cwd=d, capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError("keytool failed: " + r.stdout + r.stderr)
    client = os.path.join(d, "client.properties")
    with open(client, "w") as f:
        f.write("\n".join(tls_client_props({"truststore": os.path.join(d, "truststore.p12")})) + "\n")
    return {"keystore": os.path.join(d, "broker.p12"), "truststore": os.path.join(d, "truststore.p12"), "client": client}


def tls_client_props(tls=None):
    """What a client sets to connect over TLS (nothing without --tls)."""
    tls = tls or TLS
    if not tls:
        return []
    return ["security.protocol=SSL", f"ssl.truststore.location={tls['truststore']}",
            f"ssl.truststore.password={TLS_PASSWORD}", "ssl.truststore.type=PKCS12"]


def tls_broker_props():
    """A broker's TLS keys, the same on Kafka and Korvet."""
    return [f"ssl.keystore.location={TLS['keystore']}", f"ssl.keystore.password={TLS_PASSWORD}", "ssl.keystore.type=PKCS12"]


def command_config():
    """A tool's --command-config arguments (none without --tls)."""
    return ["--command-config", TLS["client"]] if TLS else []


def wait_for_line(path, marker, proc, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(path, "r", errors="replace") as f:
                for line in f:
                    if marker in line:
                        return line.strip()
        except FileNotFoundError:
            pass
        if proc.poll() is not None:
            raise BenchError(f"{what} exited with {proc.returncode} before '{marker}'; see {path}")
        time.sleep(0.2)
    raise BenchError(f"{what}: no '{marker}' within {timeout}s; see {path}")


def wait_for_port(port, proc, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise BenchError(f"{what}: port {port} not open within {timeout}s")


# ---------------------------------------------------------------- /proc

def cpu_ticks(pid, children=False):
    """utime + stime of a process (plus the children it waited for: Redis's AOF-rewrite forks), in ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks


def jit_ticks(pid):
    """utime + stime of a JVM's JIT compiler threads (C1 and C2 CompilerThread*), in ticks; 0 for another process."""
    ticks = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if "CompilerThre" not in f.read():
                    continue
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            pass  # a compiler thread that ended (they come and go with the JIT's queue) took its ticks with it
    return ticks


def vm_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def machine_busy_ticks():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in parts[:8])
    return user + nice + system + irq + softirq + steal


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# ---------------------------------------------------------------- a small Redis client

class Redis:
    """RESP2 over a socket: enough for INFO, MEMORY USAGE, XLEN, SCRIPT LOAD and a pipelined EVALSHA loop."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rf = self.sock.makefile("rb", buffering=1 << 20)

    def close(self):
        try:
            self.rf.close()
            self.sock.close()
        except OSError:
            pass

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            elif isinstance(a, int):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def read(self):
        line = self.rf.readline()
        if not line:
            raise BenchError("Redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return BenchError("Redis: " + rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.rf.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise BenchError(f"Redis: unexpected reply {line!r}")

    def call(self, *args):
        self.sock.sendall(self.encode(*args))
        reply = self.read()
        if isinstance(reply, BenchError):
            raise reply
        return reply

    def info(self, section):
        text = self.call("INFO", section).decode()
        return dict(l.split(":", 1) for l in text.splitlines() if ":" in l and not l.startswith("#"))


def start_redis(workdir, name):
    port = free_port()
    data = os.path.join(workdir, name)
    os.makedirs(data, exist_ok=True)
    # Korvet's embedded default (RedisServerProcess): append-only file, fsync every second, no RDB snapshots,
    # stream nodes of up to 768 KiB, no LZF compression in AOF rewrites, transparent huge pages (HugePages.java).
    cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", data, "--appendonly", "yes",
           "--appendfsync", "everysec", "--save", "", "--stream-node-max-bytes", "786432", "--rdbcompression", "no",
           "--daemonize", "no",
           "--logfile", os.path.join(data, "redis.log")]
    cmd += ["--disable-thp", "no"]
    env = dict(os.environ)
    env.setdefault("MALLOC_CONF", "thp:always")
    p = spawn(cmd, os.path.join(workdir, name + ".out"), env=env)
    wait_for_port(port, p, 30, "redis-server")
    return p, port, data


def dir_bytes(path, predicate=lambda name: True):
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            if predicate(f):
                try:
                    total += os.path.getsize(os.path.join(dirpath, f))
                except OSError:
                    pass
    return total


# ---------------------------------------------------------------- the brokers

class Kafka:
    name = "Kafka"
    slug = "Kafka"  # in file names
    format = None  # not a Korvet

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "kafka")
        os.makedirs(self.dir)
        self.logs = os.path.join(self.dir, "logs")
        self.port, self.cport, self.sport = free_port(), free_port(), free_port()
        self.log = os.path.join(self.dir, "kafka.log")
        self.proc = None

    def start(self):
        props = os.path.join(self.dir, "server.properties")
        tls_listener = f",SSL://127.0.0.1:{self.sport}" if TLS else ""
        tls_keys = "".join("\n" + p for p in tls_broker_props()) if TLS else ""
        with open(props, "w") as f:
            f.write(f"""# Single-node KRaft, as config/server.properties of the Kafka distribution, on loopback.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{self.cport}
listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.cport}{tls_listener}
advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}{tls_listener}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL{tls_keys}
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs={self.logs}
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
""")
        # kafka-storage.sh random-uuid is a base64url (unpadded) random UUID.
        # One in 64 starts with '-', which kafka-storage's argument parser takes for an option: draw again.
        cluster_id = "-"
        while cluster_id.startswith("-"):
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        rc, out, _ = run_tool(java_tool("kafka.tools.StorageTool", ["format", "-t", cluster_id, "-c", props]),
                              os.path.join(self.dir, "format.log"), 120, record=False)
        if rc != 0:
            raise BenchError("kafka-storage format failed:\n" + out[-2000:])
        cmd = ["java", *BROKER_JVM, "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-cp", f"{LIB}/*", "kafka.Kafka",
               props]
        self.proc = spawn(cmd, self.log)

    def await_ready(self):
        wait_for_line(self.log, "Kafka Server started", self.proc, 120, "Kafka")

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.sport if TLS else self.port}"

    def pids(self):
        return {"JVM": self.proc.pid}

    def stop(self):
        stop(self.proc, 15)

    def storage(self, topic, partitions, _records):
        log_bytes = sum(dir_bytes(os.path.join(self.logs, f"{topic}-{p}"), lambda n: n.endswith(".log"))
                        for p in range(partitions))
        return {"kafka_log": log_bytes}

    def problems(self):
        return log_problems(self.log, (" ERROR ",))

    def check_alive(self, when):
        check_alive(self.name, {"JVM": self.proc}, self.log, when)


def korvet_name(fmt):
    """The broker's name in the tables: "Korvet" for the default (batch) stream format, "Korvet (record)"."""
    return "Korvet" if fmt == "batch" else f"Korvet ({fmt})"


class Korvet:
    def __init__(self, workdir, fmt="batch"):
        self.format = fmt
        self.name = korvet_name(fmt)
        self.slug = "Korvet" if fmt == "batch" else f"Korvet-{fmt}"  # in file names
        self.dir = os.path.join(workdir, self.slug.lower())
        os.makedirs(self.dir)
        self.port = free_port()
        self.log = os.path.join(self.dir, "korvet.log")
        self.proc = self.redis_proc = self.redis = None

    def start(self):
        self.redis_proc, self.redis_port, self.redis_dir = start_redis(self.dir, "redis")
        self.redis = Redis(self.redis_port)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KORVET_")}
        tls = [a for p in tls_broker_props() for a in ("-o", p)] if TLS else []
        cmd = ["java", *BROKER_JVM, "-jar", KORVET_JAR, "-o",
               f"listeners={'SSL' if TLS else 'PLAINTEXT'}://127.0.0.1:{self.port}", *tls,
               "-o", f"korvet.redis.uri=redis://127.0.0.1:{self.redis_port}",
               "-o", f"korvet.data.dir={os.path.join(self.dir, 'unused')}",
               "-o", f"korvet.stream.format={self.format}",
               "-o", "korvet.http.listener=http://127.0.0.1:0",
               # as Kafka's config/server.properties (and the Kafka started here): no wait for more members
               "-o", "group.initial.rebalance.delay.ms=0"]
        self.proc = spawn(cmd, self.log, env=env, cwd=self.dir)

    def await_ready(self):
        wait_for_line(self.log, "Korvet started", self.proc, 120, self.name)

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def pids(self):
        return {"JVM": self.proc.pid, "redis": self.redis_proc.pid}

    def stop(self):
        stop(self.proc, 15)
        if self.redis:
            self.redis.close()
        stop(self.redis_proc, 10)

    def keys(self, topic, partitions):
        return [f"korvet:{topic}:{p}" for p in range(partitions)]

    def drop(self, topic, partitions):
        """Frees a warm-up topic's memory in Redis at once, before the measured runs (its topic stays registered)."""
        self.redis.call("DEL", *self.keys(topic, partitions))

    def used_memory(self):
        return int(self.redis.info("memory")["used_memory"])

    def append_stats(self):
        """(calls, microseconds) Redis has spent in Korvet's appends so far: in the batch format each is one
        MULTI ... EXEC (the fence script, XADD and RENAME inside it), in the record format an EVALSHA of append.lua."""
        command = "cmdstat_exec" if self.format == "batch" else "cmdstat_evalsha"
        stat = self.redis.info("commandstats").get(command, "")
        fields = dict(kv.split("=", 1) for kv in stat.split(",") if "=" in kv)
        return int(fields.get("calls", 0)), int(fields.get("usec", 0))

    def storage(self, topic, partitions, _records):
        keys = self.keys(topic, partitions)
        usage = sum(self.redis.call("MEMORY", "USAGE", k, "SAMPLES", "0") or 0 for k in keys)
        stored = sum(self.redis.call("XLEN", k) for k in keys)
        aof = dir_bytes(self.redis_dir, lambda n: ".aof" in n)
        return {"redis_usage": usage, "redis_used_memory": self.used_memory(), "redis_aof": aof,
                "redis_entries": stored}

    def problems(self):
        return log_problems(self.log, (" WARN ", " ERROR "))

    def check_alive(self, when):
        check_alive(self.name, {"JVM": self.proc, "redis-server": self.redis_proc}, self.log, when)


def check_alive(name, procs, logfile, when):
    dead = [f"{k} exited with {p.returncode}" for k, p in procs.items() if p.poll() is not None]
    if dead:
        with open(logfile, "r", errors="replace") as f:
            last = "".join(f.readlines()[-8:])
        raise BenchError(f"{name}: {', '.join(dead)} {when}; the last lines of its log:\n{last}")


def log_problems(path, markers):
    out = []
    try:
        with open(path, "r", errors="replace") as f:
            for line in f:
                if any(m in line for m in markers):
                    out.append(line.rstrip())
    except FileNotFoundError:
        pass
    return out


# ---------------------------------------------------------------- the tools

PRODUCER_SUMMARY = re.compile(
    r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, "
    r"(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th")


def create_topic(broker, topic, partitions, logdir):
    cmd = java_tool("org.apache.kafka.tools.TopicCommand",
                    ["--bootstrap-server", broker.bootstrap, "--create", "--topic", topic,
                     "--partitions", str(partitions), "--replication-factor", "1", *command_config()])
    rc, out, _ = run_tool(cmd, os.path.join(logdir, f"{broker.slug}-{topic}-create.log"), 120, record=False)
    if rc != 0:
        raise BenchError(f"{broker.name}: creating {topic} failed:\n{out[-2000:]}")


def produce(broker, sc, topic, records, logdir, timeout, record=True):
    txn = [k for k in ("transactional.id", "transaction.duration.ms") if k in sc.props]
    props = [f"acks={sc.acks}", *[f"{k}={v}" for k, v in sc.props.items() if k not in txn], *tls_client_props()]
    txn_flags = []
    if "transactional.id" in sc.props:
        txn_flags = ["--transactional-id", f"{sc.props['transactional.id']}-{topic}",
                     "--transaction-duration-ms", sc.props.get("transaction.duration.ms", "3000")]
    cmd = java_tool("org.apache.kafka.tools.ProducerPerformance",
                    ["--bootstrap-server", broker.bootstrap, "--topic", topic, "--num-records", str(records),
                     "--record-size", str(sc.size), "--throughput", "-1", *txn_flags, "--command-property", *props])
    t0 = time.time()
    rc, out, tool_cpu = run_tool(cmd, os.path.join(logdir, f"{broker.slug}-{topic}-produce.log"), timeout, record)
    wall = time.time() - t0
    m = PRODUCER_SUMMARY.search(out)
    errors = [l for l in out.splitlines() if "Exception" in l or l.startswith("ERROR") or "Error" in l]
    if rc != 0 or not m:
        raise BenchError(f"{broker.name}: ProducerPerformance failed (exit {rc}) on {topic}:\n{out[-3000:]}")
    sent, rate, mb, avg, mx, p50, p95, p99, p999 = m.groups()
    return {"sent": int(sent), "rate": float(rate), "mb": float(mb), "avg": float(avg), "max": float(mx),
            "p50": int(p50), "p95": int(p95), "p99": int(p99), "p999": int(p999), "wall": wall,
            "tool_cpu": tool_cpu, "errors": errors, "seconds": int(sent) / max(float(rate), 1e-9)}


def consume(broker, topic, records, logdir, tool, record=True, timeout_ms=30000, wall_timeout=600):
    if tool == "ConsumerPerformance":
        cmd = java_tool("org.apache.kafka.tools.ConsumerPerformance",
                        ["--bootstrap-server", broker.bootstrap, "--topic", topic, "--num-records", str(records),
                         "--timeout", str(timeout_ms), *command_config()])
    else:
        cmd = java_tool("AssignedConsumerPerformance", [broker.bootstrap, topic, str(records), str(timeout_ms),
                                                        *([TLS["client"]] if TLS else [])])
    rc, out, tool_cpu = run_tool(cmd, os.path.join(logdir, f"{broker.slug}-{topic}-consume-{tool}.log"),
                                 wall_timeout, record)
    lines = [l for l in out.splitlines() if re.match(r"^\S.*, .*, [\d.]+, [\d.]+, \d+, [\d.]+", l)]
    if rc != 0 or not lines or "WARNING: Exiting before" in out:
        return {"ok": False, "out": out[-1500:]}
    f = [x.strip() for x in lines[-1].split(",")]
    consumed = int(f[4])
    # fetch.nMsg.sec: records/s over the fetch time, without the group join (rebalance.time.ms).
    return {"ok": consumed >= records, "consumed": consumed, "rate": float(f[9]), "rate_total": float(f[5]),
            "rebalance_ms": int(f[6]), "tool_cpu": tool_cpu, "out": out[-1500:]}


# ---------------------------------------------------------------- the Redis ceiling

def redis_benchmark_xadd(port, size, requests, key, logdir):
    payload = "x" * size
    cmd = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", "50", "-P", "64", "-n", str(requests),
           "--csv", "XADD", key, "*", "ts", "1795272001058", "value", payload]
    shown = " ".join(cmd[:-1]) + f" <{size} B payload>"
    rc, out, _ = run_tool(cmd, os.path.join(logdir, f"redis-benchmark-{size}.log"), 600, record=False)
    m = re.search(r'^"XADD[^"]*","([\d.]+)"', out, re.M)
    if rc != 0 or not m:
        raise BenchError(f"redis-benchmark failed (exit {rc}):\n{out[-1500:]}")
    return float(m.group(1)), shown


XRANGE_COUNT = 1000


def redis_benchmark_xrange(port, key, requests, logdir, size):
    """Reads of XRANGE_COUNT entries from the start of a stream (the one the XADD run filled), 8 clients: how
    fast Redis hands out stored entries, the most any broker reading them with XRANGE could serve."""
    cmd = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", "8", "-P", "1", "-n", str(requests),
           "--csv", "XRANGE", key, "-", "+", "COUNT", str(XRANGE_COUNT)]
    rc, out, _ = run_tool(cmd, os.path.join(logdir, f"redis-benchmark-xrange-{size}.log"), 600, record=False)
    m = re.search(r'^"XRANGE[^"]*","([\d.]+)"', out, re.M)
    if rc != 0 or not m:
        raise BenchError(f"redis-benchmark XRANGE failed (exit {rc}):\n{out[-1500:]}")
    return float(m.group(1)) * XRANGE_COUNT, " ".join(cmd)


def records_per_batch(size, batch_size=BATCH_SIZE_DEFAULT):
    """How many records of `size` B (no key, no headers) fill one v2 record batch of batch.size bytes:
    61 B of batch header, about 10 B of per-record framing (varints, attributes, deltas)."""
    return max(1, (batch_size - 61) // (size + 10))


def eval_append_ceiling(port, size, seconds, window=8):
    """Korvet's own append script (common.lua + append.lua, as LuaScript.load joins them), called pipelined
    with batches shaped like ProducerPerformance's: records_per_batch(size) entries, `ts` and `value` fields,
    and `batch` on the first, in the script's argument layout (as AppendCommand writes it).
    Returns (records/s, records per batch) or (None, reason)."""
    try:
        with open(os.path.join(LUA_DIR, "common.lua")) as f:
            common = f.read()
        with open(os.path.join(LUA_DIR, "append.lua")) as f:
            append = f.read()
    except OSError as e:
        return None, f"no append script ({e})"
    r = Redis(port)
    try:
        sha = r.call("SCRIPT", "LOAD", common + "\n" + append)
        key = f"korvet:ceiling-eval-{size}:0".encode()
        rpb = records_per_batch(size)
        payload = os.urandom(size // 2 + 1).hex()[:size].encode()
        ts = b"1795272001058"
        # append.lua's layout per record: ID, shape ('v': a value; 'vb': a value and the batch facts), ts, values.
        rest_record = b"$1\r\nv\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(ts), ts, len(payload), payload)
        next_key = b"{" + key + b"}:next"
        # The leader fence: the partition's leader key holds the value the appending leader claimed.
        leader_key = b"{" + key + b"}:leader"
        leader = b"0 0"
        r.call("SET", leader_key, leader)
        # EVALSHA sha 3 key next-key leader-key expected leader | per record id shape ts value | batch value
        argc = 6 + 2 + rpb * 4 + 1

        def call(base, seq):
            batch = b"1000,0,%d,%d,0" % (seq, rpb)
            parts = [b"*%d\r\n$7\r\nEVALSHA\r\n$%d\r\n%s\r\n$1\r\n3\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                     % (argc, len(sha), sha, len(key), key, len(next_key), next_key, len(leader_key), leader_key)]
            b = str(base).encode()
            parts.append(b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(b), b, len(leader), leader))
            first_id = b"%d-1" % base
            parts.append(b"$%d\r\n%s\r\n$2\r\nvb\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                         % (len(first_id), first_id, len(ts), ts, len(payload), payload, len(batch), batch))
            for off in range(base + 1, base + rpb):
                i = b"%d-1" % off
                parts.append(b"$%d\r\n%s\r\n" % (len(i), i))
                parts.append(rest_record)
            return b"".join(parts)

        next_offset = 0
        in_flight = 0
        done = 0
        t0 = time.time()
        deadline = t0 + seconds
        while True:
            now = time.time()
            while in_flight < window and now < deadline:
                r.sock.sendall(call(next_offset, next_offset))
                next_offset += rpb
                in_flight += 1
            if in_flight == 0:
                break
            reply = r.read()
            in_flight -= 1
            if isinstance(reply, BenchError) or not isinstance(reply, list) or reply[0] != 1:
                return None, f"append.lua answered {reply!r}: its arguments are no longer shaped as this harness sends them"
            done += rpb
        elapsed = time.time() - t0
        r.call("DEL", key, next_key, leader_key)
        return done / elapsed, rpb
    finally:
        r.close()


def measure_ceilings(sizes, workdir, seconds, name="ceiling"):
    out = {}
    for size in sizes:
        p, port, _data = start_redis(workdir, f"{name}-{size}")
        try:
            probe_n = 100_000 if size <= 256 else 40_000
            rate, _ = redis_benchmark_xadd(port, size, probe_n, f"korvet:ceiling-probe-{size}:0", workdir)
            n = max(probe_n, int(rate * seconds))
            c0, t0 = cpu_ticks(p.pid), time.time()
            rate, shown = redis_benchmark_xadd(port, size, n, f"korvet:ceiling-{size}:0", workdir)
            xadd_busy = (cpu_ticks(p.pid) - c0) / CLK_TCK / (time.time() - t0)
            COMMANDS.append(shown)
            reads = max(200, int(n / XRANGE_COUNT * 2))
            c0, t0 = cpu_ticks(p.pid), time.time()
            xrange_rate, shown = redis_benchmark_xrange(port, f"korvet:ceiling-{size}:0", reads, workdir, size)
            xrange_busy = (cpu_ticks(p.pid) - c0) / CLK_TCK / (time.time() - t0)
            r = Redis(port)
            r.call("FLUSHALL")
            r.close()
            COMMANDS.append(shown)
            c0, t0 = cpu_ticks(p.pid), time.time()
            ev, rpb = eval_append_ceiling(port, size, seconds)
            eval_busy = (cpu_ticks(p.pid) - c0) / CLK_TCK / (time.time() - t0)
            out[size] = {"xadd": rate, "xadd_n": n, "xadd_busy": xadd_busy, "eval": ev, "eval_rpb": rpb,
                         "eval_busy": eval_busy, "xrange": xrange_rate, "xrange_busy": xrange_busy}
            log(f"Redis ceiling, {size_label(size)}: XADD pipelined {rate:,.0f}/s (redis-server {xadd_busy:.0%} busy); "
                f"XRANGE {xrange_rate:,.0f} records/s (redis-server {xrange_busy:.0%} busy); "
                + (f"EVAL append.lua {ev:,.0f} records/s, {rpb}/batch (redis-server {eval_busy:.0%} busy)" if ev
                   else f"EVAL append.lua n/a ({rpb})"))
        finally:
            stop(p)
    return out


# ---------------------------------------------------------------- scenarios

def size_label(size):
    return "1 KiB" if size == 1024 else f"{size} B"


class Scenario:
    def __init__(self, size, acks, partitions, props=None):
        self.size, self.acks, self.partitions, self.props = size, acks, partitions, props or {}

    @property
    def label(self):
        s = f"{size_label(self.size)} acks={self.acks} {self.partitions}p"
        if self.props:
            s += " " + " ".join(f"{k}={v}" for k, v in self.props.items())
        return s


LINGER = {"linger.ms": "5", "batch.size": "65536"}
LZ4 = {"compression.type": "lz4"}
# Transactions: ProducerPerformance's own --transactional-id, committing every --transaction-duration-ms.
TXN = {"transactional.id": "bench-txn", "transaction.duration.ms": "5"}
FULL = [Scenario(100, "1", 1), Scenario(100, "1", 6), Scenario(100, "all", 1), Scenario(100, "all", 6),
        Scenario(100, "all", 1, LINGER), Scenario(100, "all", 1, LZ4),
        Scenario(1024, "1", 1), Scenario(1024, "1", 6), Scenario(1024, "all", 1), Scenario(1024, "all", 6),
        Scenario(100, "all", 6, TXN)]
SHORT = [Scenario(100, "all", 1)]
FORMATS = ("batch", "record")  # Korvet's stream formats (korvet.stream.format)


def broker_order(brokers, i):
    """The order of the brokers in scenario i: rotated by one every two scenarios, and backward in every second
    one (for two brokers: AB, BA, BA, AB), so that over the run each broker goes first, last and in between
    about as often, and a drift in the machine's speed hits all of them."""
    rot = (i // 2) % len(brokers)
    order = brokers[rot:] + brokers[:rot]
    return order[::-1] if i % 2 else order


def parse_formats(text):
    formats = []
    for f in (x.strip() for x in text.split(",")):
        if f not in FORMATS:
            raise argparse.ArgumentTypeError(f"unknown stream format '{f}': expected a list of {', '.join(FORMATS)}")
        if f not in formats:
            formats.append(f)
    if not formats:
        raise argparse.ArgumentTypeError("no stream format given")
    return formats

GUESS = {100: 50_000, 1024: 15_000}  # a low first guess of records/s, refined by every run


def load_cache():
    try:
        with open(RATE_CACHE) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def save_cache(cache):
    with open(RATE_CACHE, "w") as f:
        json.dump(cache, f, indent=1, sort_keys=True)


def warm_up(broker, sc, topic, logdir, seconds, guess, max_runs):
    """Warms a fresh broker (and the JIT) on a topic of its own: runs of about `seconds` until one lasted at
    least half of that and its rate is within 20% of the run before (a cold JIT underestimates the rate
    several-fold); returns the best rate seen, from which the main run's record count is set, and how many
    records the topic now holds (warm_up_reads reads them back)."""
    create_topic(broker, topic, sc.partitions, logdir)
    n = max(1000, int(guess * seconds))
    rates = []
    produced = 0
    for _ in range(max_runs):
        res = produce(broker, sc, topic, n, logdir, timeout=max(120, seconds * 20), record=False)
        rates.append(res["rate"])
        produced += n
        steady = len(rates) >= 2 and abs(rates[-1] - rates[-2]) <= 0.2 * max(rates[-2:])
        if res["seconds"] >= seconds / 2 and steady:
            break
        n = max(1000, int(res["rate"] * seconds))
    return max(rates), produced


def warm_up_reads(broker, topic, records, logdir, tool):
    """Reads the warm-up topic back, so that the broker's read path is compiled by the JIT before the measured
    consume as its write path is before the measured produce (cold, Korvet's Fetch code took as much CPU in
    the JIT's compiler threads as in serving records during a 3M-record consume)."""
    c = consume(broker, topic, records, logdir, tool, record=False)
    if not c["ok"]:
        log(f"{broker.name}: reading the warm-up topic back failed; the measured consume starts colder")


def warm_up_again(broker, sc, topic, logdir, seconds, rate):
    """One more produce run after the reads: the Fetch requests changed the type profiles of code the two paths
    share (the dispatcher, the response writers), so the JIT deoptimised the produce path and compiled it again
    inside the measured run (C2 took ~40% of Korvet's JVM CPU in a 4M-record run, Kafka's JIT as much). A broker
    that has served both for a while has settled; this gives both brokers that state before the measurement."""
    produce(broker, sc, topic, max(1000, int(rate * seconds)), logdir, timeout=max(120, seconds * 20), record=False)


def run_one(broker, sc, topic, n, logdir, consumer_tool, slow_rate):
    create_topic(broker, topic, sc.partitions, logdir)
    COMMANDS.append(f"# {broker.name}, {sc.label}")
    base_mem = broker.used_memory() if isinstance(broker, Korvet) else None
    problems_before = len(broker.problems())
    pids = broker.pids()
    cpu0 = {k: cpu_ticks(pid, children=(k == "redis")) for k, pid in pids.items()}
    jit0 = jit_ticks(pids["JVM"])
    busy0 = machine_busy_ticks()
    load = loadavg()
    timeout = max(180, 6 * n / max(slow_rate, 1) + 60)
    appends0 = broker.append_stats() if isinstance(broker, Korvet) else None
    res = produce(broker, sc, topic, n, logdir, timeout)
    if appends0 is not None:
        calls, usec = (b - a for a, b in zip(appends0, broker.append_stats()))
        res["appends"] = {"calls": calls, "usec": usec}
    broker.check_alive("during the produce run")
    busy1 = machine_busy_ticks()
    cpu1 = {k: cpu_ticks(pid, children=(k == "redis")) for k, pid in pids.items()}
    res["cpu"] = {k: (cpu1[k] - cpu0[k]) / CLK_TCK for k in pids}
    res["jit_cpu"] = max(0, jit_ticks(pids["JVM"]) - jit0) / CLK_TCK
    res["other_cpu"] = max(0.0, (busy1 - busy0) / CLK_TCK - sum(res["cpu"].values()) - res["tool_cpu"])
    res["load"] = load
    log(f"{broker.name} {sc.label}: {res['rate']:,.0f} records/s, p50 {res['p50']} ms, p99 {res['p99']} ms, "
        f"{res['seconds']:.1f} s; CPU {sum(res['cpu'].values()):.1f} s")
    c = consume(broker, topic, n, logdir, consumer_tool, wall_timeout=max(300, 6 * n / max(slow_rate, 1)))
    res["consume"] = c
    broker.check_alive("during the consumer run")
    if c["ok"]:
        log(f"{broker.name} {sc.label}: consumed {c['consumed']:,} at {c['rate']:,.0f} records/s")
    else:
        log(f"{broker.name} {sc.label}: consumer failed: {c['out'][-400:]}")
    res["storage"] = broker.storage(topic, sc.partitions, n)
    if base_mem is not None:
        res["storage"]["redis_used_delta"] = res["storage"]["redis_used_memory"] - base_mem
    res["rss_kb"] = {k: vm_kb(pid, "VmHWM") for k, pid in pids.items()}
    res["problems"] = broker.problems()[problems_before:]
    res["format"] = broker.format
    return res


def probe_consumer(brokers, topic, logdir):
    """ConsumerPerformance needs a group coordinator; when a Korvet has none, every broker is read with assign()."""
    for b in [b for b in brokers if isinstance(b, Korvet)]:
        c = consume(b, topic, 100, logdir, "ConsumerPerformance", record=False, timeout_ms=10000, wall_timeout=90)
        if not c["ok"]:
            reason = next((l.strip() for l in c["out"].splitlines() if "Exception" in l or "not support" in l or "WARNING" in l),
                          "no summary line")
            log(f"ConsumerPerformance does not work against {b.name} ({reason}); every broker is read with "
                f"AssignedConsumerPerformance (assign(), no group)")
            return "AssignedConsumerPerformance", f"{b.name}: {reason}"
    return "ConsumerPerformance", None


# ---------------------------------------------------------------- output

def fmt_int(x):
    return "–" if x is None else f"{x:,.0f}"


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}×"


def mib(kb):
    return kb / 1024


def table(results, ceilings, names):
    """The produce/consume table: a row per broker (in `names` order) and scenario, then a ratio row per Korvet."""
    head = ("| scenario | broker | records | produce rec/s | MB/s | p50 ms | p99 ms | consume rec/s | "
            "broker CPU s | broker CPU s per million records | of which the JIT compiler s | "
            "broker CPU s per million records, JIT left out | peak RSS MiB | % of Redis ceiling | run s | "
            "CPU s used elsewhere | producer CPU s | consumer CPU s | Redis µs per append (records each) |")
    cols = head.count("|") - 1
    rows = [head, "|" + "---|" * cols]
    for sc, n, runs in results:
        per = {}
        for name in names:
            r = runs.get(name)
            if r is None or "error" in r:
                rows.append(f"| {sc.label} | {name} | {n:,} | failed: {(r or {}).get('error', 'not run')[:80]} |"
                            + " |" * (cols - 4))
                continue
            cpu = sum(r["cpu"].values())
            cpu_m = cpu * 1e6 / max(r["sent"], 1)
            jit = r.get("jit_cpu", 0.0)
            steady_m = (cpu - jit) * 1e6 / max(r["sent"], 1)
            rss = mib(sum(r["rss_kb"].values()))
            c = r["consume"]
            crate = c["rate"] if c["ok"] else None
            if r.get("format"):
                cpu_s = f"{cpu:.1f} ({r['cpu']['JVM']:.1f} + redis {r['cpu']['redis']:.1f})"
                rss_s = f"{rss:,.0f} ({mib(r['rss_kb']['JVM']):,.0f} + redis {mib(r['rss_kb']['redis']):,.0f})"
                ceil = best_ceiling(ceilings.get(sc.size))
                pct = f"{100 * r['rate'] / ceil[0]:.0f}%" if ceil else "–"
                ev = (ceilings.get(sc.size) or {}).get("eval")
                if ceil and ev and ev < ceil[0]:
                    pct += f" ({100 * r['rate'] / ev:.0f}% of append.lua's)"
            else:
                cpu_s, rss_s, pct = f"{cpu:.1f}", f"{rss:,.0f}", ""
            appends = r.get("appends")
            per_append = (f"{appends['usec'] / appends['calls']:.0f} ({r['sent'] / appends['calls']:.1f})"
                          if appends and appends["calls"] else "")
            ccpu = c.get("tool_cpu")
            per[name] = (r["rate"], r["mb"], r["p50"], r["p99"], crate, cpu, cpu_m, rss, r["tool_cpu"], ccpu, jit, steady_m)
            rows.append(f"| {sc.label} | {name} | {n:,} | {fmt_int(r['rate'])} | {r['mb']:.1f} | {r['p50']} | {r['p99']} | "
                        f"{fmt_int(crate) if c['ok'] else 'failed'} | {cpu_s} | {cpu_m:.1f} | {jit:.1f} | {steady_m:.1f} | {rss_s} | {pct} | "
                        f"{r['seconds']:.1f} | {r['other_cpu']:.1f} | {r['tool_cpu']:.1f} | "
                        f"{'' if ccpu is None else f'{ccpu:.1f}'} | {per_append} |")
        k = per.get("Kafka")
        for name in names:
            v = per.get(name)
            if name == "Kafka" or k is None or v is None:
                continue
            rows.append(f"| {sc.label} | **{name}/Kafka** | | {fmt_ratio(v[0], k[0])} | {fmt_ratio(v[1], k[1])} | "
                        f"{fmt_ratio(v[2], k[2])} | {fmt_ratio(v[3], k[3])} | {fmt_ratio(v[4], k[4])} | "
                        f"{fmt_ratio(v[5], k[5])} | {fmt_ratio(v[6], k[6])} | {fmt_ratio(v[10], k[10])} | "
                        f"{fmt_ratio(v[11], k[11])} | {fmt_ratio(v[7], k[7])} | | | | "
                        f"{fmt_ratio(v[8], k[8])} | {fmt_ratio(v[9], k[9])} | |")
    return "\n".join(rows)


def combine_ceilings(start, end):
    """The machine's speed drifts over a 40-minute run, so the ceiling is measured at its start and at its end;
    each rate Korvet is compared with is the higher of the two (with the busy share of that measurement), so
    that a slow spell while the ceiling was measured never flatters Korvet's share of it."""
    out = {}
    for size, first in start.items():
        last = end.get(size)
        c = dict(first)
        if last:
            for k in ("xadd", "eval", "xrange"):
                if (last[k] or 0) > (c[k] or 0):
                    c[k] = last[k]
                    if k == "eval":
                        c["eval_rpb"] = last["eval_rpb"]
                    c[f"{k}_busy"] = last[f"{k}_busy"]
        c["measured"] = [("at the start", first)] + ([("at the end", last)] if last else [])
        out[size] = c
    return out


def best_ceiling(c):
    if not c:
        return None
    if c["eval"] and c["eval"] > c["xadd"]:
        return c["eval"], "EVAL append.lua"
    return c["xadd"], "XADD pipelined"


def ceiling_table(ceilings):
    rows = ["| record size | measured | XADD, pipelined (redis-benchmark -c 50 -P 64) | Korvet's append.lua via EVALSHA, "
            f"pipelined 8 deep | records per EVALSHA | ceiling | reading: XRANGE COUNT {XRANGE_COUNT} (redis-benchmark -c 8) "
            "| reading at 100% of a core |", "|---|---|---|---|---|---|---|---|"]
    for size, combined in ceilings.items():
        measured = combined["measured"]
        shown = measured + ([("**used: the higher of each**", combined)] if len(measured) > 1 else [])
        for when, c in shown:
            best = best_ceiling(c)
            ev = (f"{c['eval']:,.0f} records/s (redis-server {c['eval_busy']:.0%} busy)" if c["eval"]
                  else f"n/a: {c['eval_rpb']}")
            rows.append(f"| {size_label(size)} | {when} | {c['xadd']:,.0f} records/s (redis-server {c['xadd_busy']:.0%} busy) | "
                        f"{ev} | {c['eval_rpb'] if c['eval'] else '–'} | {best[0]:,.0f} ({best[1]}) | "
                        f"{c['xrange']:,.0f} records/s (redis-server {c['xrange_busy']:.0%} busy) | "
                        f"{c['xrange'] / max(c['xrange_busy'], 0.01):,.0f} records/s |")
    return "\n".join(rows)


def memory_table(results, names):
    """Bytes per stored record: a row per Korvet broker and scenario, with Kafka's .log bytes beside it."""
    rows = ["| scenario | broker | records | Redis MEMORY USAGE B/record | Redis used_memory Δ B/record | "
            "Redis AOF file B/record | stream entries (records each) | Kafka .log B/record | "
            "Redis (MEMORY USAGE) / Kafka |", "|---|---|---|---|---|---|---|---|---|"]
    for sc, n, runs in results:
        k = runs.get("Kafka")
        if not k or "error" in k:
            continue
        klog = k["storage"]["kafka_log"] / n
        for name in names:
            v = runs.get(name)
            if name == "Kafka" or not v or "error" in v:
                continue
            st = v["storage"]
            usage = st["redis_usage"] / n
            delta = st.get("redis_used_delta", 0) / n
            aof = st["redis_aof"] / n
            entries = st.get("redis_entries") or 0
            each = f" ({n / entries:.1f})" if entries else ""
            rows.append(f"| {sc.label} | {name} | {n:,} | {usage:.1f} | {delta:.1f} | {aof:.1f} | {entries:,}{each} | "
                        f"{klog:.1f} | {fmt_ratio(usage, klog)} |")
    return "\n".join(rows)


def machine_info():
    def cmd(c):
        try:
            return subprocess.run(c, capture_output=True, text=True, timeout=30).stdout.strip() or \
                subprocess.run(c, capture_output=True, text=True, timeout=30).stderr.strip()
        except Exception as e:  # noqa
            return f"n/a ({e})"
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30).stderr.strip()
    try:
        commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %s"], capture_output=True, text=True,
                                timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "src/main"],
                               capture_output=True, text=True, timeout=30).stdout.strip()
        commit = (commit + (" (with uncommitted changes in src/main)" if dirty else "")) or "unknown"
    except Exception:  # noqa: no git here
        commit = "unknown"
    built = datetime.datetime.fromtimestamp(os.path.getmtime(KORVET_JAR)).strftime("%Y-%m-%d %H:%M")
    return {"nproc": os.cpu_count(), "memory": f"{mem_kb / 1024 / 1024:.1f} GiB", "cpu": cpu,
            "kernel": platform.release(), "java": java.replace("\n", "; "),
            "redis": cmd(["redis-server", "--version"]), "redis_benchmark": cmd(["redis-benchmark", "--version"]),
            "korvet": f"target/korvet.jar built {built}; source: {commit}"}


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description="Korvet vs Apache Kafka 4.3.1 (see bench/README.md)")
    ap.add_argument("--short", action="store_true", help="a few seconds per run, one scenario (what the tests run)")
    ap.add_argument("--seconds", type=float, help="target length of each produce run (default 20, short 3)")
    ap.add_argument("--scenarios", help="comma-separated indexes into the scenario list (default all; see --list)")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    ap.add_argument("--formats", type=parse_formats, metavar="batch,record",
                    help="Korvet's stream formats to run, a Korvet broker each (korvet.stream.format; "
                         "default both, short: batch)")
    ap.add_argument("--consumer", choices=["auto", "ConsumerPerformance", "AssignedConsumerPerformance"],
                    default="auto")
    ap.add_argument("--results", help="markdown file to write (default bench/RESULTS.md; short: bench/target/short-results.md)")
    ap.add_argument("--tls", action="store_true",
                    help="every broker listens with TLS only (same key pair), every tool connects over TLS")
    ap.add_argument("--command-line", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    short = args.short
    seconds = args.seconds or (3.0 if short else 20.0)
    warm_seconds = 1.0 if short else 4.0
    scenarios = SHORT if short else FULL
    formats = args.formats or (["batch"] if short else list(FORMATS))
    names = ["Kafka"] + [korvet_name(f) for f in formats]
    if args.list:
        for i, sc in enumerate(scenarios):
            print(f"{i}: {sc.label}")
        return 0
    if args.scenarios:
        scenarios = [scenarios[int(i)] for i in args.scenarios.split(",")]
    default_results = os.path.join(BENCH, "target", "short-results.md") if short else os.path.join(BENCH, "RESULTS.md")
    results_path = args.results or default_results
    for need in (KORVET_JAR, LIB):
        if not os.path.exists(need):
            raise BenchError(f"missing {need}: start the harness with bench/run.sh")

    started = datetime.datetime.now()
    t_start = time.time()
    load_start = loadavg()
    info = machine_info()
    workdir = tempfile.mkdtemp(prefix="korvet-bench-")
    WORKDIRS.append(workdir)
    if args.tls:
        global TLS
        TLS = make_tls(workdir)
        log("TLS: every broker listens with TLS only, every tool connects over TLS")
    logdir = os.path.join(BENCH, "target", "bench-logs")
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    log(f"work dir {workdir}, logs in {logdir}; {len(scenarios)} scenarios, produce runs of >= {seconds:.0f} s; "
        f"brokers {', '.join(names)}")
    failures = []
    results = []
    consumer_tool = None if args.consumer == "auto" else args.consumer
    consumer_note = None
    try:
        sizes = sorted({s.size for s in scenarios})
        ceilings_start = measure_ceilings(sizes, workdir, seconds / 2)
        ceilings = combine_ceilings(ceilings_start, {})
        guess = dict(GUESS)
        cache = {} if short else load_cache()  # full-run rates would make the short runs long
        main_rates = {}
        for i, sc in enumerate(scenarios):
            scdir = os.path.join(workdir, f"s{i}")
            os.makedirs(scdir)
            korvets = [Korvet(scdir, f) for f in formats]
            order = broker_order([Kafka(scdir), *korvets], i)
            runs = {}
            n = 0
            try:
                log(f"scenario {i + 1}/{len(scenarios)}: {sc.label}; order {', '.join(b.name for b in order)}")
                for b in order:
                    b.start()
                for b in order:
                    b.await_ready()
                rates = {}
                warm_records = {}
                for b in order:
                    rates[b.name], warm_records[b.name] = warm_up(b, sc, f"warmup-{i}", logdir, warm_seconds,
                                                                  guess.get((b.name, sc.size), guess[sc.size]),
                                                                  2 if short else 5)
                if consumer_tool is None:
                    consumer_tool, consumer_note = probe_consumer(order, f"warmup-{i}", logdir)
                for b in order:
                    warm_up_reads(b, f"warmup-{i}", warm_records[b.name], logdir, consumer_tool)
                    warm_up_again(b, sc, f"warmup-{i}", logdir, warm_seconds, rates[b.name])
                for k in korvets:
                    k.drop(f"warmup-{i}", sc.partitions)
                slow = min(rates.values())
                # A few seconds from a cold tool JVM underestimate a broker's steady rate several-fold; the last
                # full run's rate for this scenario, and this run's for the same broker and size, are better.
                est = {k: max(v, cache.get(f"{k}|{sc.label}", 0), main_rates.get((k, sc.size), 0))
                       for k, v in rates.items()}
                n = max(10_000, int(max(est.values()) * seconds * 1.3 / 1000) * 1000)
                log(f"warm-up rates {', '.join(f'{k} {v:,.0f}/s' for k, v in rates.items())}; estimates "
                    f"{', '.join(f'{k} {v:,.0f}/s' for k, v in est.items())}; {n:,} records per run")
                for attempt in ("", "b", "c"):
                    topic = f"bench-{i}{attempt}"
                    runs = {}
                    for b in order:
                        try:
                            runs[b.name] = run_one(b, sc, topic, n, logdir, consumer_tool, slow)
                            guess[(b.name, sc.size)] = runs[b.name]["rate"]
                            main_rates[(b.name, sc.size)] = runs[b.name]["rate"]
                        except BenchError as e:
                            runs[b.name] = {"error": str(e)}
                            log(f"{b.name} {sc.label}: FAILED: {e}")
                    done = [r for r in runs.values() if "error" not in r]
                    if not short:
                        for name, r in runs.items():
                            if "error" not in r:
                                cache[f"{name}|{sc.label}"] = r["rate"]
                        save_cache(cache)
                    if (short or attempt == "c" or len(done) < len(order)
                            or min(r["seconds"] for r in done) >= seconds):
                        break
                    # The fastest broker was faster than estimated (and gets faster still on longer runs): run all
                    # again with enough records.
                    n = int(max(n * 1.5, max(r["rate"] for r in done) * seconds * 1.5) / 1000) * 1000
                    log(f"a produce run lasted {min(r['seconds'] for r in done):.1f} s, under {seconds:.0f} s: "
                        f"every broker again with {n:,} records")
                    for k in korvets:
                        k.drop(topic, sc.partitions)
                for name, r in runs.items():
                    if "error" in r:
                        failures.append(f"{name} {sc.label}: {r['error']}")
                        r["error"] = r["error"].splitlines()[0]
                    else:
                        if not r["consume"]["ok"]:
                            failures.append(f"{name} {sc.label}: consumer failed")
                        if r["errors"]:
                            failures.append(f"{name} {sc.label}: {len(r['errors'])} producer error lines")
            except BenchError as e:
                failures.append(f"{sc.label}: {e}")
                log(f"{sc.label}: FAILED: {e}")
                for name in names:
                    runs.setdefault(name, {"error": str(e).splitlines()[0]})
            finally:
                for b in order:
                    b.stop()
                for b in order:
                    shutil.copy(b.log, os.path.join(logdir, f"s{i}-{b.slug}.log"))
                shutil.rmtree(scdir, ignore_errors=True)
            results.append((sc, n, runs))
        try:
            ceilings = combine_ceilings(ceilings_start, measure_ceilings(sizes, workdir, seconds / 2, "ceiling-end"))
        except BenchError as e:
            # The scenarios are measured already: report them against the first ceiling rather than lose them.
            log(f"measuring the Redis ceiling again after the scenarios failed ({e}); the table uses the first one")
    finally:
        kill_all()
        shutil.rmtree(workdir, ignore_errors=True)

    elapsed = time.time() - t_start
    main_table = table(results, ceilings, names)
    mem = memory_table(results, names)
    ceil = ceiling_table(ceilings)
    notes = []
    for sc, n, runs in results:
        for name, r in runs.items():
            if "error" in r:
                continue
            if r["errors"]:
                notes.append(f"- {name}, {sc.label}: {len(r['errors'])} error lines from ProducerPerformance, e.g. "
                             f"`{r['errors'][0][:200]}`")
            if r["problems"]:
                notes.append(f"- {name}, {sc.label}: {len(r['problems'])} WARN/ERROR lines in the broker log, e.g. "
                             f"`{r['problems'][0][:240]}`")
            if r["seconds"] < seconds:
                notes.append(f"- {name}, {sc.label}: the produce run lasted {r['seconds']:.1f} s, under the "
                             f"{seconds:.0f} s target (the warm-up underestimated its rate)")
            entries = r["storage"].get("redis_entries")
            # record format: an entry per record; batch format: an entry per record batch, so at most one per record
            if (r["format"] == "record" and entries != n) or (r["format"] == "batch" and not 0 < (entries or 0) <= n):
                notes.append(f"- {name}, {sc.label}: {entries} stream entries for {n} records sent, "
                             f"unexpected in the {r['format']} stream format")
            if r["other_cpu"] > 0.1 * r["seconds"] * (os.cpu_count() or 1):
                notes.append(f"- {name}, {sc.label}: {r['other_cpu']:.1f} CPU s used by other processes during "
                             f"the {r['seconds']:.0f} s run (load average then {r['load']}): this run was disturbed")
    for f_ in failures:
        first, _, rest = f_.partition("\n")
        notes.append(f"- {first[:300]}" + (f"\n\n  ```\n{indent(rest[-1500:])}\n  ```" if rest.strip() else ""))

    command = args.command_line or "bench/run.sh " + " ".join(sys.argv[1:])
    report = render(started, info, command, load_start, loadavg(), elapsed, short, seconds, consumer_tool,
                    consumer_note, ceil, main_table, mem, notes, formats)
    print(report)
    os.makedirs(os.path.dirname(results_path), exist_ok=True)
    with open(results_path, "w") as f:
        f.write(report)
    log(f"written to {results_path}; {elapsed:.0f} s in all")
    bad = [r for _, _, runs in results for r in runs.values() if "error" in r or not r["consume"]["ok"]]
    return 1 if bad or not results else 0


def indent(text):
    return "\n".join("  " + line for line in text.strip("\n").splitlines())


def render(started, info, command, load_start, load_end, elapsed, short, seconds, consumer_tool, consumer_note, ceil,
           main_table, mem, notes, formats):
    consumer = (f"`{consumer_tool}`" + (f" for every broker, because ConsumerPerformance failed against {consumer_note}"
                                        if consumer_note else " for every broker"))
    cmds = "\n".join(COMMANDS)
    shown = {"batch": "**Korvet** (`korvet.stream.format=batch`, the default: a stream entry per record batch, "
                      "stored as the producer sent it)",
             "record": "**Korvet (record)** (`korvet.stream.format=record`: a stream entry per record)"}
    korvets = "; ".join(shown[f] for f in formats)
    lz4 = ("\n`compression.type=lz4`: the producer compresses each batch with LZ4; Kafka and the batch format keep "
           "it compressed,\nthe record format decompresses it into an entry per record."
           if "compression.type=lz4" in main_table else "")
    return f"""# Korvet vs Apache Kafka 4.3.1 {'(short mode: a smoke test, not figures)' if short else ''}

- Date: {started.strftime('%Y-%m-%d %H:%M')} (local time); {elapsed / 60:.1f} minutes in all
- Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} of memory, Linux {info['kernel']}
- Korvet: {info['korvet']}
- Java: {info['java']}
- Redis: {info['redis']}; {info['redis_benchmark']}
- Load average (1, 5, 15 min): {load_start} at the start, {load_end} at the end
- Command: `{command}`
- Brokers: Apache Kafka; {korvets}; each Korvet on a redis-server of its own.
- Transport: {'TLS (SSL listeners on every broker, one PKCS12 key pair; every tool over TLS; the Korvet start-up line names its TLS provider)' if TLS else 'PLAINTEXT'}
- Each produce run: >= {seconds:.0f} s for the fastest broker; every broker gets the same record count.
- Consumer: {consumer}; records/s over the fetch time (`fetch.nMsg.sec`, without the group join).

## Produce and consume

ProducerPerformance with `--throughput -1` (unthrottled) and client defaults (Kafka 4: `linger.ms=5`,
`batch.size=16384`; `acks=all` means the idempotent producer). Broker CPU s: user + system time of the broker
processes during the produce run (Korvet: its JVM + its redis-server, including Redis's AOF-rewrite children);
per million records: the same CPU time × 1,000,000 / records sent, what a record costs whatever the run's length.
Of which the JIT compiler: the CPU time of the broker JVM's C1/C2 compiler threads during the run (a compiler
thread that ends during the run takes its time with it, so this is a lower bound); the request rate of a produce
run is a few thousand a second, so a JVM's request path reaches C2 late and is recompiled when a new kind of
request changes its type profiles (the warm-up therefore produces once more after reading back). "JIT left
out" is the steady state a long-running broker reaches.
Peak RSS: VmHWM over the broker's whole life in this scenario (warm-up, produce, consume). Kafka's records sit in
the page cache, not in its RSS; Korvet's sit in redis-server's RSS. "CPU s used elsewhere": machine CPU time during
the run not used by the brokers or the tool, i.e. other work disturbing the measurement. Producer / consumer CPU s:
user + system time of the ProducerPerformance / consumer tool's own JVM (each a fresh JVM, JIT compilation
included), the share of the same cores the clients take. Redis µs per append: the time Redis spent per append
during the produce run (`INFO commandstats`: per EXEC of the batch format's MULTI ... EXEC, per EVALSHA of the
record format's append script; wall time, so it grows when the machine's cores are contended), and the records each
append carried (in the batch format, one batch). Each Korvet broker has a ratio row to Kafka (above 1 is more for Korvet:
better for rates, worse for latency, CPU and memory).{lz4}

{main_table}

## The ceiling Redis sets

{ceil}

## Bytes per stored record

Redis: `MEMORY USAGE <stream> SAMPLES 0` summed over the topic's streams, and the growth of `INFO memory`
`used_memory` during the run; the AOF (append-only file, Korvet's persistence) size at the end, which depends on
whether an AOF rewrite happened (a rewrite makes it a compact RDB preamble); the stream entries the topic holds
(`XLEN`), with the records each. Kafka: the size of the topic's `.log` segment files (indexes left out: they are
preallocated). A row per Korvet broker, each beside Kafka's figure for the same records.

{mem}

## Notes

{chr(10).join(notes) if notes else '- nothing unusual: no producer errors, no WARN/ERROR lines in the broker logs, every record consumed'}

## Exact commands

The harness (bench/harness.py) starts for each scenario, on free loopback ports, a fresh Kafka
(`kafka.tools.StorageTool format`, then `java {' '.join(BROKER_JVM)} -cp 'bench/target/lib/*' kafka.Kafka
server.properties`) and a fresh Korvet per stream format (`redis-server --appendonly yes --appendfsync everysec
--save ''` and `java {' '.join(BROKER_JVM)} -jar target/korvet.jar -o listeners=... -o korvet.redis.uri=...
-o korvet.stream.format=batch|record`), warms each up on a topic of its own (produced, read back with the
consumer tool, produced again), then ran (ports vary from run to run; TopicCommand and the warm-up runs are left out):

```
{cmds}
```
"""


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        log(f"FAILED: {e}")
        kill_all()
        sys.exit(2)
