#!/usr/bin/env bash
# Korvet against Apache Kafka 4.3.1 on this machine, with Kafka's own ProducerPerformance and ConsumerPerformance,
# plus the XADD ceiling of Redis itself. See bench/README.md.
#   bench/run.sh            the full run (about an hour); writes bench/RESULTS.md
#   bench/run.sh --short    a few seconds per run, two scenarios, Kafka and Korvet (what the test suite runs)
#   bench/run.sh --formats batch,record   which Korvet stream formats to run (default both; --short: batch)
#   bench/run.sh --help     the other options
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in java javac mvn python3 redis-server redis-benchmark; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not on the PATH" >&2; exit 2; }
done

bench/setup.sh

[ -f target/korvet.jar ] || { echo "bench: building target/korvet.jar" >&2; mvn -B -q package -DskipTests; }

exec python3 bench/harness.py --command-line "bench/run.sh $*" "$@"
