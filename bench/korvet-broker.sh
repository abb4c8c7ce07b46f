# Sourced by the bench scripts that run Korvet alone (producer-perf.sh, scrape.sh, compaction-pause.sh): starts a
# broker on its embedded Redis (loopback, free ports, a temporary data directory) and stops it and removes the
# directory when the script exits.
#
#   source bench/korvet-broker.sh
#   start_korvet NAME JAR [java options...] -- [broker options...]
#
# NAME names the temporary directory (/tmp/korvet-NAME.XXXXXX). Sets PORT (the Kafka listener), DATA (the temporary
# directory; Redis's data is in $DATA/redis), LOG (the broker's output) and KORVET (its pid); prints the start-up line.
# The broker JVM gets what kafka-server-start.sh gives Kafka, as in bench/run.sh.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

stop_korvet() {
  if [ -n "${KORVET:-}" ]; then
    kill "$KORVET" 2>/dev/null || true
    wait "$KORVET" 2>/dev/null || true
  fi
  [ -n "${DATA:-}" ] && rm -rf "$DATA"
  return 0
}

start_korvet() {
  local name="$1" jar="$2"
  shift 2
  local java_opts=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do java_opts+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  PORT=$(free_port)
  DATA=$(mktemp -d "/tmp/korvet-$name.XXXXXX")
  LOG="$DATA/korvet.log"
  trap stop_korvet EXIT
  java -Xmx1G -Xms1G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+UseTransparentHugePages -XX:+AlwaysPreTouch \
    "${java_opts[@]}" -jar "$jar" -o "listeners=PLAINTEXT://127.0.0.1:$PORT" -o "korvet.data.dir=$DATA/redis" \
    "$@" >"$LOG" 2>&1 &
  KORVET=$!
  for _ in $(seq 1 150); do grep -q "Korvet started" "$LOG" && break; sleep 0.2; done
  grep "Korvet started" "$LOG" || { echo "Korvet did not start:" >&2; tail -20 "$LOG" >&2; exit 1; }
}
