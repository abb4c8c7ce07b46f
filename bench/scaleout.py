#!/usr/bin/env python3
"""Korvet over a Redis Cluster: one broker, then two, side by side with Apache Kafka, on this machine.

Starts a three-master Redis Cluster (redis-server --cluster-enabled yes, Korvet's embedded settings, then
redis-cli --cluster create), runs Kafka's ProducerPerformance and ConsumerPerformance against one Korvet broker and
then two over that same cluster, and against a single-node Apache Kafka for reference, measuring records/s and the
CPU every broker and Redis shard used. From the measured CPU per record it prints a scaling model: the records/s one
broker serves at 100% of a core, the records/s one shard appends at 100% of a core, and how many of each a load needs.
On a 2-core machine the brokers, the shards and the tools share two cores: this measures overhead, not scaling.
See bench/README.md. Loopback only; stops everything it starts.
"""

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

PARTITIONS = 6
SIZE = 1024


class Scenario:
    """What ProducerPerformance sends: 1 KiB records, acks=all, the producer's other defaults."""
    size = SIZE
    acks = "all"
    partitions = PARTITIONS
    props = {}


def free_cluster_port():
    """A free port whose cluster bus port (+10000, which a cluster node binds too) exists and is free."""
    import socket
    for _ in range(1000):
        port = h.free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
                return port
            except OSError:
                continue
    raise h.BenchError("no free port with a free cluster bus port")


def start_cluster(workdir, masters):
    nodes = []
    for i in range(masters):
        port = free_cluster_port()
        data = os.path.join(workdir, f"shard-{i}")
        os.makedirs(data)
        # Korvet's embedded settings (see harness.start_redis), in cluster mode.
        cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", data, "--appendonly", "yes",
               "--appendfsync", "everysec", "--save", "", "--stream-node-max-bytes", "786432", "--rdbcompression", "no",
               "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--daemonize", "no",
               "--logfile", os.path.join(data, "redis.log")]
        p = h.spawn(cmd, os.path.join(workdir, f"shard-{i}.out"))
        h.wait_for_port(port, p, 30, "redis-server")
        nodes.append((p, port))
    create = ["redis-cli", "--cluster", "create", *[f"127.0.0.1:{port}" for _, port in nodes], "--cluster-yes"]
    out = subprocess.run(create, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise h.BenchError("redis-cli --cluster create failed:\n" + out.stdout + out.stderr)
    deadline = time.time() + 60
    for _, port in nodes:
        while "cluster_state:ok" not in h.Redis(port).call("CLUSTER", "INFO").decode():
            if time.time() > deadline:
                raise h.BenchError(f"shard {port} never reached cluster_state:ok")
            time.sleep(0.1)
    return nodes


class ClusterKorvet:
    """One Korvet broker (node.id n) over the Redis Cluster, started as harness.Korvet starts its broker."""

    def __init__(self, workdir, node_id, seeds):
        self.node_id = node_id
        self.name = f"Korvet {node_id}"
        self.slug = f"Korvet-{node_id}"
        self.dir = os.path.join(workdir, self.slug.lower())
        os.makedirs(self.dir)
        self.port = h.free_port()
        self.log = os.path.join(self.dir, "korvet.log")
        self.seeds = seeds
        self.proc = None

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("KORVET_")}
        cmd = ["java", *h.BROKER_JVM, "-jar", h.KORVET_JAR, "-o", f"listeners=PLAINTEXT://127.0.0.1:{self.port}", "-o", "korvet.http.listener=http://127.0.0.1:0",
               "-o", f"node.id={self.node_id}", "-o", f"korvet.redis.uri={self.seeds}",
               "-o", "korvet.namespace=scaleout", "-o", "group.initial.rebalance.delay.ms=0"]
        self.proc = h.spawn(cmd, self.log, env=env, cwd=self.dir)

    def await_ready(self):
        h.wait_for_line(self.log, "Korvet started", self.proc, 120, self.name)

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        h.stop(self.proc, 15)


class Fleet:
    """The brokers under test as one bootstrap list, for the tools."""

    def __init__(self, name, brokers):
        self.name = name
        self.slug = name.replace(" ", "-")
        self.brokers = brokers
        self.bootstrap = ",".join(b.bootstrap for b in brokers)


def ticks(pids):
    return {name: h.cpu_ticks(pid) for name, pid in pids.items()}


def measure(fleet, broker_pids, shard_pids, topic, records, logdir, consumer_tool):
    """Produces then consumes `records`, with the CPU each broker and shard used during each."""
    result = {}
    for phase in ("produce", "consume"):
        before_b, before_s = ticks(broker_pids), ticks(shard_pids)
        t0 = time.time()
        if phase == "produce":
            r = h.produce(fleet, Scenario, topic, records, logdir, 600)
            rate = r["rate"]
        else:
            r = h.consume(fleet, topic, records, logdir, consumer_tool)
            if not r.get("ok"):
                raise h.BenchError(f"{fleet.name}: consuming {topic} failed:\n{r.get('out', '')}")
            rate = r["rate"]
        wall = time.time() - t0
        after_b, after_s = ticks(broker_pids), ticks(shard_pids)
        broker_cpu = {n: (after_b[n] - before_b[n]) / h.CLK_TCK for n in broker_pids}
        shard_cpu = {n: (after_s[n] - before_s[n]) / h.CLK_TCK for n in shard_pids}
        result[phase] = {"rate": rate, "wall": wall, "broker_cpu": broker_cpu, "shard_cpu": shard_cpu,
                         "p99": r.get("p99")}
    return result


def run_fleet(fleet, broker_pids, shard_pids, seconds, logdir, consumer_tool):
    """Warms the brokers up as the main harness does (runs until the rate is steady, reads read back), then measures."""
    topic_warm, topic = f"warm-{fleet.slug}", f"bench-{fleet.slug}"
    rate, produced = h.warm_up(fleet, Scenario, topic_warm, logdir, seconds, 20_000, 5)
    h.warm_up_reads(fleet, topic_warm, produced, logdir, consumer_tool)
    h.create_topic(fleet, topic, PARTITIONS, logdir)
    time.sleep(1)
    records = max(50_000, int(rate * seconds))
    h.log(f"{fleet.name}: warm-up {rate:.0f} records/s; measuring {records} records")
    return measure(fleet, broker_pids, shard_pids, topic, records, logdir, consumer_tool)


def per_record_us(cpu_seconds, records):
    return cpu_seconds / records * 1e6


def main():
    ap = argparse.ArgumentParser(description="Korvet over a Redis Cluster, one and two brokers (see bench/README.md)")
    ap.add_argument("--seconds", type=float, default=20, help="target length of each produce run (default 20)")
    ap.add_argument("--shards", type=int, default=3, help="Redis Cluster masters (default 3)")
    ap.add_argument("--results", default=os.path.join(h.BENCH, "SCALEOUT.md"), help="markdown file to write")
    args = ap.parse_args()
    for tool in ("redis-server", "redis-cli", "java"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            raise h.BenchError(f"{tool} is not on the PATH")
    consumer_tool = "AssignedConsumerPerformance"
    workdir = tempfile.mkdtemp(prefix="korvet-scaleout-")
    h.WORKDIRS.append(workdir)
    logdir = os.path.join(h.BENCH, "target", "bench-logs", "scaleout")
    os.makedirs(logdir, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    results = {}

    kafka = h.Kafka(workdir)
    kafka.start()
    kafka.await_ready()
    try:
        results["Kafka"] = run_fleet(kafka, kafka.pids(), {}, args.seconds, logdir, consumer_tool)
    finally:
        kafka.stop()

    nodes = start_cluster(workdir, args.shards)
    seeds = "redis://" + ",".join(f"127.0.0.1:{port}" for _, port in nodes)
    shard_pids = {f"shard {i}": p.pid for i, (p, _) in enumerate(nodes)}
    brokers = []
    try:
        for count in (1, 2):
            while len(brokers) < count:
                b = ClusterKorvet(workdir, len(brokers) + 1, seeds)
                b.start()
                b.await_ready()
                brokers.append(b)
            time.sleep(3)  # the new broker in every view, its share of leaders claimed
            fleet = Fleet(f"Korvet x{count}", list(brokers))
            results[fleet.name] = run_fleet(fleet, {b.name: b.proc.pid for b in brokers}, shard_pids, args.seconds,
                                            logdir, consumer_tool)
    finally:
        for b in brokers:
            b.stop()
        for p, _ in nodes:
            h.stop(p, 10)
    report = render(results, args, started)
    print(report)
    with open(args.results, "w") as f:
        f.write(report)
    return 0


def machine_line():
    m = h.machine_info()
    return (f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory']}; {m['java']}; {m['redis']}; "
            f"{m['korvet']}.")


def render(results, args, started):
    k = results["Kafka"]
    lines = [f"# Korvet over a Redis Cluster: one broker and two ({started})", "",
             machine_line(), "",
             f"`python3 bench/scaleout.py --seconds {args.seconds:g} --shards {args.shards}`: ProducerPerformance "
             f"({SIZE} B records, acks=all, producer defaults) and {'AssignedConsumerPerformance'} on a {PARTITIONS}-partition "
             f"topic; Korvet over a {args.shards}-master Redis Cluster (no replicas, Korvet's embedded Redis settings); "
             "Kafka 4.3.1 single-node KRaft for reference. CPU is each process's user+system time during the run.", "",
             "| brokers | produce rec/s | vs Kafka | consume rec/s | vs Kafka | broker CPU µs/rec (produce) | vs Kafka "
             "| Redis CPU µs/rec (produce, all shards) | produce p99 ms |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    k_prod, k_cons = k["produce"]["rate"], k["consume"]["rate"]

    def cpu_us(phase, which):
        records = phase["rate"] * phase["wall"]
        return per_record_us(sum(phase[which].values()), records)

    k_cpu = cpu_us(k["produce"], "broker_cpu")
    for name, r in results.items():
        p, c = r["produce"], r["consume"]
        b_us = cpu_us(p, "broker_cpu")
        s_us = cpu_us(p, "shard_cpu") if p["shard_cpu"] else 0
        lines.append(f"| {name} | {p['rate']:,.0f} | {p['rate'] / k_prod:.2f} | {c['rate']:,.0f} | {c['rate'] / k_cons:.2f} "
                     f"| {b_us:.2f} | {b_us / k_cpu:.2f} | {s_us:.2f} | {p['p99']} |")
    # The scaling model, from the two-broker run (the one with most overhead: routing across brokers included).
    two = results.get("Korvet x2") or results["Korvet x1"]
    p = two["produce"]
    b_us = cpu_us(p, "broker_cpu")
    s_us = cpu_us(p, "shard_cpu") / max(1, len(p["shard_cpu"]))
    shard_share = [v / max(1e-9, sum(p["shard_cpu"].values())) for v in p["shard_cpu"].values()]
    broker_ceiling = 1e6 / b_us
    # One shard's ceiling: the records it appended per second of its own CPU (its share of the records).
    shard_ceiling = 1e6 / (cpu_us(p, "shard_cpu"))
    lines += ["", "## Scaling model", "",
              f"From the two-broker produce run: a broker spends {b_us:.2f} µs of CPU per record, so one broker at 100% "
              f"of a core serves about **{broker_ceiling:,.0f} records/s**; the Redis shards together spend "
              f"{cpu_us(p, 'shard_cpu'):.2f} µs per record, so one shard at 100% of a core appends about "
              f"**{shard_ceiling:,.0f} records/s** (the shards' CPU split {', '.join(f'{s:.0%}' for s in shard_share)}: "
              "partitions hash to slots, so a shard carries its partitions' share). Per shard on average "
              f"{s_us:.2f} µs per record of the whole load.", "",
              "Brokers and shards for a load of 1 KiB records with acks=all, each at most 70% busy (a core per broker "
              "JVM and per redis-server, which is single-threaded; partitions spread evenly):", "",
              "| records/s | MB/s | brokers | Redis shards |", "| ---: | ---: | ---: | ---: |"]
    for load in (50_000, 100_000, 250_000, 500_000, 1_000_000, 2_000_000):
        lines.append(f"| {load:,} | {load * SIZE / 1e6:,.0f} | {math.ceil(load / (0.7 * broker_ceiling))} "
                     f"| {math.ceil(load / (0.7 * shard_ceiling))} |")
    lines += ["", "On this machine (2 cores) the brokers, the shards and the tools share two cores, so the two-broker "
              "row measures the overhead of a second broker (routing, a second JVM), not scaling; the model assumes "
              "each broker and each shard gets a core of its own, as on separate machines.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGINT, h.on_signal)
    signal.signal(signal.SIGTERM, h.on_signal)
    try:
        sys.exit(main())
    except h.BenchError as e:
        h.log(f"FAILED: {e}")
        h.kill_all()
        sys.exit(2)
    finally:
        h.kill_all()
        for d in h.WORKDIRS:
            import shutil
            shutil.rmtree(d, ignore_errors=True)
