#!/usr/bin/env bash
# Runs Apache Kafka's own ProducerPerformance (kafka-tools 4.3.1) against a Korvet broker started here on
# its embedded Redis: 100-byte records, acks=1 then acks=all (the idempotent default).
# A quick look at Korvet alone; bench/run.sh is the side-by-side comparison with Apache Kafka.
# Usage: bench/producer-perf.sh [num-records]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS="${1:-1000000}"
SIZE="${RECORD_SIZE:-100}"

[ -f target/korvet.jar ] || mvn -B -q package -DskipTests
bench/setup.sh

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATA=$(mktemp -d /tmp/korvet-bench.XXXXXX)
LOG="$DATA/korvet.log"
# The broker JVM gets what kafka-server-start.sh gives Kafka, as in bench/run.sh.
java -Xmx1G -Xms1G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
  -jar target/korvet.jar -o "listeners=PLAINTEXT://127.0.0.1:$PORT" -o "korvet.data.dir=$DATA/redis" >"$LOG" 2>&1 &
KORVET=$!
cleanup() { kill "$KORVET" 2>/dev/null || true; wait "$KORVET" 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
for _ in $(seq 1 100); do grep -q "Korvet started" "$LOG" && break; sleep 0.2; done
grep "Korvet started" "$LOG"

TOOLS=(java -Xmx512M -cp "bench/target/lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
# Warm-up (JIT), not reported: a fifth of the records on a topic of its own.
"${TOOLS[@]}" org.apache.kafka.tools.ProducerPerformance --topic perf-warmup --num-records $((RECORDS / 5)) \
  --record-size "$SIZE" --throughput -1 --producer-props "bootstrap.servers=127.0.0.1:$PORT" acks=1 >/dev/null
for ACKS in 1 all; do
  TOPIC="perf-acks-$ACKS"
  "${TOOLS[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$PORT" --create --topic "$TOPIC" --partitions 1 >/dev/null
  echo "== ProducerPerformance: $RECORDS records of $SIZE B, acks=$ACKS"
  "${TOOLS[@]}" org.apache.kafka.tools.ProducerPerformance --topic "$TOPIC" --num-records "$RECORDS" \
    --record-size "$SIZE" --throughput -1 \
    --producer-props "bootstrap.servers=127.0.0.1:$PORT" "acks=$ACKS" | tail -1
done
