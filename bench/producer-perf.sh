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

source bench/korvet-broker.sh
start_korvet bench target/korvet.jar --

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
