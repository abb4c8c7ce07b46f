#!/usr/bin/env bash
# The soak, by hand (not in CI): Korvet on its own redis-server (AOF everysec) for MINUTES while a default
# producer (acks=all, idempotent) writes numbered records at RATE records/s and a consumer group member reads
# them; every record is accounted for at the end (bench/src/Soak.java), and the memory of the broker and of
# Redis is sampled every 30 s into memory.csv, with a summary of how it moved after the first 5 minutes.
#
# Usage: bench/soak.sh [minutes=30] [records/s=115000] [record bytes=100]
# (115,000 records/s is half of Korvet's rate in bench/RESULTS.md for 100 B, acks=all, 6 partitions.)
set -euo pipefail
cd "$(dirname "$0")"
minutes=${1:-30}
rate=${2:-115000}
size=${3:-100}

./setup.sh
if [ ! -f ../target/korvet.jar ]; then
  (cd .. && mvn -B -q package -DskipTests)
fi
work=$(mktemp -d /tmp/korvet-soak.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
redis_port=$(free_port)
broker_port=$(free_port)
mkdir -p "$work/redis"

redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync everysec \
  --save "" > "$work/redis.log" 2>&1 &
redis_pid=$!
broker_pid=
sampler_pid=
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null || true
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  rm -rf "$work/redis"
}
trap cleanup EXIT
for _ in $(seq 1 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

java -jar ../target/korvet.jar \
  --override "listeners=PLAINTEXT://127.0.0.1:$broker_port" \
  --override "korvet.redis.uri=redis://127.0.0.1:$redis_port" \
  --override "log.retention.check.interval.ms=10000" > "$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 1 300); do grep -q "Korvet started" "$work/broker.log" && break; sleep 0.1; done
grep "Korvet started" "$work/broker.log"

echo "seconds,broker_rss_kib,redis_rss_kib,redis_used_memory_bytes,stream_entries" > "$work/memory.csv"
(
  t0=$(date +%s)
  while true; do
    broker_rss=$(ps -o rss= -p "$broker_pid" | tr -d ' ')
    redis_rss=$(ps -o rss= -p "$redis_pid" | tr -d ' ')
    used=$(redis-cli -p "$redis_port" info memory | tr -d '\r' | awk -F: '$1=="used_memory"{print $2}')
    entries=0
    for p in 0 1 2 3 4 5; do
      n=$(redis-cli -p "$redis_port" xlen "korvet:soak:$p" | tr -d '\r')
      entries=$((entries + n))
    done
    echo "$(( $(date +%s) - t0 )),$broker_rss,$redis_rss,$used,$entries" >> "$work/memory.csv"
    sleep 30
  done
) &
sampler_pid=$!

echo "soak: $minutes min at $rate records/s of $size B; work dir $work"
set +e
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "target/classes:target/lib/*" Soak "127.0.0.1:$broker_port" soak 6 "$rate" "$((minutes * 60))" "$size" 60000 \
  | tee "$work/soak.log"
status=${PIPESTATUS[0]}
set -e
kill "$sampler_pid" 2>/dev/null || true
sampler_pid=

python3 - "$work/memory.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["broker_rss_kib"]]
steady = [r for r in rows if int(r["seconds"]) >= 300] or rows
def show(name, key, scale, unit):
    vals = [int(r[key]) / scale for r in steady]
    print(f"{name}: at 5 min {vals[0]:,.0f} {unit}, at the end {vals[-1]:,.0f} {unit}, "
          f"min {min(vals):,.0f}, max {max(vals):,.0f} {unit} ({len(vals)} samples from 5 min on)")
show("broker RSS", "broker_rss_kib", 1024, "MiB")
show("redis-server RSS", "redis_rss_kib", 1024, "MiB")
show("Redis used_memory", "redis_used_memory_bytes", 1 << 20, "MiB")
show("stream entries kept", "stream_entries", 1, "")
PY
echo "errors and warnings in the broker log: $(grep -c -E ' (ERROR|WARN) ' "$work/broker.log" || true)"
echo "samples: $work/memory.csv; broker log: $work/broker.log"
exit "$status"
