#!/usr/bin/env python3
"""What Redis alone spends to store Korvet's batches: the floor under Korvet's broker CPU per record.

Starts a redis-server as Korvet's embedded default runs it (append-only file, fsync every second, no RDB, stream
nodes of up to 768 KiB, no LZF, transparent huge pages) but with AOF rewrites off, and appends N entries of 16,000 bytes (a full
16 KiB producer batch, the Kafka client's default batch.size) to one stream from one connection, 4 in flight,
as Korvet's one-partition produce runs do. It measures redis-server's own CPU (user + system, from /proc) and
prints it per entry and per million records of the bench's two sizes (100 B: 148 records a batch; 1 KiB: 15),
twice: for a bare XADD (the least any design storing batches in a Redis stream pays) and for Korvet's append
(MULTI, XADD, RENAME, EXEC, RENAME: the fence script left out). No broker, no client tool, no rewrite: what is
printed is a lower bound of the redis-server part of bench/run.sh's "broker CPU per million records".

Usage: bench/redis-floor.py [--appends 20000] [--rounds 3]
"""
import argparse
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def run(appends, bare, size=16000, depth=4):
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="korvet-redis-floor-")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", data_dir, "--appendonly", "yes",
         "--appendfsync", "everysec", "--save", "", "--stream-node-max-bytes", "786432", "--rdbcompression", "no",
         "--auto-aof-rewrite-percentage", "0", "--disable-thp", "no"],
        env=dict(os.environ, MALLOC_CONF=os.environ.get("MALLOC_CONF", "thp:always")), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        payload = bytes(random.getrandbits(8) for _ in range(size))
        # Reply lines per append: XADD -> $n, id; the group -> +OK +QUEUED +QUEUED *2 $n id +OK, then +OK.
        lines_each = 2 if bare else 8
        seen = 0

        def drain(lines):
            nonlocal seen
            while seen < lines:
                chunk = conn.recv(1 << 16)
                if not chunk:
                    raise RuntimeError("redis-server closed the connection")
                seen += chunk.count(b"\r\n")

        before = cpu_seconds(server.pid)
        for i in range(appends):
            entry = resp("XADD", "s", f"{i + 1}-1", "data", payload)
            if bare:
                conn.sendall(entry)
            else:
                conn.sendall(resp("MULTI") + entry + resp("RENAME", "s", "s2") + resp("EXEC") + resp("RENAME", "s2", "s"))
            if i >= depth:
                drain(lines_each * (i - depth))
        drain(lines_each * appends)
        time.sleep(1.2)  # the next everysec fsync is part of the cost
        used = cpu_seconds(server.pid) - before
        conn.close()
        return used
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--appends", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    results = {True: [], False: []}
    for _ in range(args.rounds):
        for bare in (True, False):
            results[bare].append(run(args.appends, bare))
    print(f"redis-server CPU per 16,000-byte stream entry, AOF everysec, no rewrites ({args.appends:,} appends, "
          f"{args.rounds} rounds, median):")
    for bare, label in ((True, "XADD alone"), (False, "Korvet's MULTI/XADD/RENAME/EXEC")):
        us = sorted(results[bare])[len(results[bare]) // 2] / args.appends * 1e6
        print(f"- {label}: {us:.0f} us per entry; {us / 148:.2f} s per million 100 B records (148 a batch), "
              f"{us / 15:.2f} s per million 1 KiB records (15 a batch)")


if __name__ == "__main__":
    main()
