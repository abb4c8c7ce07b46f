#!/usr/bin/env bash
# Fetch sessions (KIP-227), before and after: one KafkaConsumer assigned every partition of a 1,000-partition
# topic polls it for SECONDS, first idle, then with RATE records/s of 100 B to random partitions, against Korvet
# with max.incremental.fetch.session.cache.slots=0 (no sessions: every Fetch names all 1,000 partitions and is
# answered for all of them) and =1000 (Kafka's default). Prints one markdown row per run: Fetch requests, bytes per
# request each way, and the CPU of the broker process and of redis-server per Fetch (bench/src/FetchSessionBench.java).
#
# Usage: bench/fetch-sessions.sh [seconds=20] [partitions=1000] [rate=100]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-20}
partitions=${2:-1000}
rate=${3:-100}

./setup.sh
if [ ! -f ../target/korvet.jar ]; then
  (cd .. && mvn -B -q package -DskipTests)
fi
work=$(mktemp -d /tmp/korvet-fetch-sessions.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
redis_pid=
broker_pid=
redis_port=
stop_all() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null || true
  broker_pid=
  [ -n "$redis_port" ] && redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  [ -n "$redis_pid" ] && wait "$redis_pid" 2>/dev/null || true
  redis_pid=
}
trap stop_all EXIT

echo "| sessions | partitions | records/s | Fetch requests | Fetch/s | request bytes | response bytes | broker CPU ms/Fetch | above idle | redis CPU ms/Fetch | broker CPU |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for slots in 0 1000; do
  for r in 0 "$rate"; do
    redis_port=$(free_port)
    broker_port=$(free_port)
    mkdir -p "$work/redis-$slots-$r"
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis-$slots-$r" --appendonly yes \
      --appendfsync everysec --save "" > "$work/redis-$slots-$r.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 1 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    java -jar ../target/korvet.jar \
      --override "listeners=PLAINTEXT://127.0.0.1:$broker_port" \
      --override "korvet.redis.uri=redis://127.0.0.1:$redis_port" \
      --override "korvet.http.listener=none" \
      --override "korvet.redis.timeout.ms=20000" \
      --override "max.incremental.fetch.session.cache.slots=$slots" > "$work/broker-$slots-$r.log" 2>&1 &
    broker_pid=$!
    for _ in $(seq 1 300); do grep -q "Korvet started" "$work/broker-$slots-$r.log" && break; sleep 0.1; done
    label=$([ "$slots" = 0 ] && echo "off (slots=0)" || echo "on (slots=$slots)")
    java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "target/classes:target/lib/*" FetchSessionBench \
      "127.0.0.1:$broker_port" wide "$partitions" "$seconds" "$r" "$broker_pid" "$redis_pid" "$label" 2>>"$work/bench.log"
    stop_all
  done
done
echo "logs: $work" >&2
