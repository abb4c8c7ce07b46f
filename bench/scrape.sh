#!/usr/bin/env bash
# What one /metrics scrape costs with many partitions: starts Korvet on its embedded Redis (loopback, free ports),
# then bench/src/ScrapeBench.java creates a topic of PARTITIONS partitions, produces one record to each, commits a
# group offset for each, and times SCRAPES scrapes (wall time, bytes, broker JVM and redis-server CPU per scrape).
# Usage: bench/scrape.sh [partitions=10000] [scrapes=20]
#   SCRAPE_JAR=/tmp/old.jar bench/scrape.sh   measures another build (default target/korvet.jar; not KORVET_*,
#                           which the broker reads as its settings)
#   JFR=1 bench/scrape.sh   also records the broker with Java Flight Recorder (profile settings) into
#                           bench/target/scrape.jfr, for `jfr print` / `jfr summary`.
set -euo pipefail
cd "$(dirname "$0")/.."
PARTITIONS="${1:-10000}"
SCRAPES="${2:-20}"

JAR="${SCRAPE_JAR:-target/korvet.jar}"
[ -f "$JAR" ] || mvn -B -q package -DskipTests
bench/setup.sh

source bench/korvet-broker.sh
HTTP_PORT=$(free_port)
JFR_OPTS=()
if [ "${JFR:-0}" = 1 ]; then
  mkdir -p bench/target
  JFR_OPTS=(-XX:StartFlightRecording=settings=profile,filename=bench/target/scrape.jfr,dumponexit=true)
fi
start_korvet scrape "$JAR" "${JFR_OPTS[@]}" -- --override "korvet.http.listener=http://127.0.0.1:$HTTP_PORT"
# The embedded redis-server is the broker's child process.
REDIS=$(cat /proc/"$KORVET"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -m1 . || echo 0)
[ "$REDIS" != 0 ] && echo "redis-server: pid $REDIS ($(tr '\0' ' ' < /proc/"$REDIS"/cmdline | cut -c1-60))"

SOURCE=""
[ "$JAR" = target/korvet.jar ] && SOURCE=", source $(git log -1 --format='%h %s' | cut -c1-70)$(git diff --quiet HEAD -- src || echo ' + uncommitted changes')"
echo "== bench/scrape.sh $PARTITIONS $SCRAPES: $JAR built $(date -r "$JAR" '+%F %H:%M')$SOURCE"
java -Xmx512M -cp "bench/target/lib/*:bench/target/classes" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  ScrapeBench "127.0.0.1:$PORT" "http://127.0.0.1:$HTTP_PORT/metrics" "$KORVET" "$REDIS" "$(getconf CLK_TCK)" \
  "$PARTITIONS" "$SCRAPES"
