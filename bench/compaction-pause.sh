#!/usr/bin/env bash
# How long the log cleaner holds Redis: starts Korvet on its embedded Redis (loopback, free ports), fills a compacted
# topic with RECORDS keyed records over KEYS keys (kcat), lets the cleaner compact it, and prints what Redis's SLOWLOG
# caught (every command over 1 ms) while it did: per command, how many and the longest, and the cleaner's log line.
# Usage: bench/compaction-pause.sh [records=500000] [keys=1000] [format=batch]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS="${1:-500000}"
KEYS="${2:-1000}"
FORMAT="${3:-batch}"
for tool in java kcat redis-cli python3; do
  command -v "$tool" >/dev/null || { echo "compaction-pause: $tool is not on the PATH" >&2; exit 2; }
done
[ -f target/korvet.jar ] || mvn -B -q package -DskipTests
source bench/korvet-broker.sh
start_korvet compaction target/korvet.jar -- \
  -o korvet.http.listener=none -o log.cleaner.backoff.ms=500 -o "korvet.stream.format=$FORMAT" >/dev/null
REDIS_PORT=$(cat "$DATA/redis/redis.port")
R() { redis-cli -p "$REDIS_PORT" "$@"; }
TOPIC=compacted
# A compacted topic whose active segment rolls at once; the cleaner starts when 1% of it is dirty.
kcat -b "127.0.0.1:$PORT" -L >/dev/null
java -cp "bench/target/lib/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn org.apache.kafka.tools.TopicCommand \
  --bootstrap-server "127.0.0.1:$PORT" --create --topic "$TOPIC" --partitions 1 --replication-factor 1 \
  --config cleanup.policy=compact --config segment.ms=100 --config min.cleanable.dirty.ratio=0.01 >/dev/null
R CONFIG SET slowlog-log-slower-than 1000 >/dev/null
R CONFIG SET slowlog-max-len 100000 >/dev/null
R SLOWLOG RESET >/dev/null
python3 -c "
import sys
pad = 'v' * 80
out = sys.stdout
for i in range($RECORDS):
    out.write('key-%d:%d-%s\n' % (i % $KEYS, i, pad))
" | kcat -b "127.0.0.1:$PORT" -P -K: -t "$TOPIC" -p 0 -X linger.ms=5
slowlog_report() {
  R --no-raw SLOWLOG GET 100000 | python3 -c "
import sys, re, collections, hashlib, os
names = {}
common = open('src/main/resources/lua/common.lua').read()
for f in os.listdir('src/main/resources/lua'):
    if f.endswith('.lua') and f != 'common.lua':
        names[hashlib.sha1((common + chr(10) + open('src/main/resources/lua/' + f).read()).encode()).hexdigest()] = f[:-4]
text = sys.stdin.read()
entries = re.findall(r'3\) \(integer\) (\d+)\s+4\) 1\) \"([^\"]+)\"\s+2\) \"([^\"]*)\"', text)
stats = collections.defaultdict(list)
for dur, cmd, arg in entries:
    name = cmd.upper()
    if name == 'EVALSHA':
        name = 'EVALSHA ' + names.get(arg, arg[:8])
    stats[name].append(int(dur))
if not stats:
    print('  none')
for cmd, durs in sorted(stats.items()):
    print('  %-28s %6d  longest %6d us  median %6d us' % (cmd, len(durs), max(durs), sorted(durs)[len(durs)//2]))
"
}
PRODUCED=$(grep -c "Compacted $TOPIC-0" "$LOG" || true)
echo "== bench/compaction-pause.sh $RECORDS $KEYS $FORMAT: $(git log -1 --format='%h %s' | cut -c1-70)"
echo "produced $RECORDS records; stream $(R MEMORY USAGE "korvet:$TOPIC:0") bytes; $PRODUCED passes while producing"
echo "Redis commands over 1 ms while producing (and cleaning; SLOWLOG: command or script, count, longest, median):"
slowlog_report
R SLOWLOG RESET >/dev/null
# Then a pass over the whole log, now that nothing is written.
for _ in $(seq 1 600); do [ "$(grep -c "Compacted $TOPIC-0" "$LOG" || true)" -gt "$PRODUCED" ] && break; sleep 0.2; done
grep "Compacted $TOPIC-0" "$LOG" | sed 's/^.* - /  /'
echo "stream after: $(R MEMORY USAGE "korvet:$TOPIC:0") bytes, $(R XLEN "korvet:$TOPIC:0") entries"
echo "Redis commands over 1 ms during that last pass, nothing else running:"
slowlog_report
