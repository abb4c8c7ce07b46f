#!/usr/bin/env bash
# Korvet over a Redis Cluster, one broker and two, with Apache Kafka 4.3.1 for reference; prints the scaling model.
#   bench/scaleout.sh                 writes bench/SCALEOUT.md (about 5 minutes)
#   bench/scaleout.sh --seconds 30    longer produce runs; --shards 3 the Redis Cluster's masters
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in java javac mvn python3 redis-server redis-cli; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not on the PATH" >&2; exit 2; }
done

bench/setup.sh

[ -f target/korvet.jar ] || { echo "bench: building target/korvet.jar" >&2; mvn -B -q package -DskipTests; }

exec python3 bench/scaleout.py "$@"
