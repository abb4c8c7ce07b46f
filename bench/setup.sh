#!/usr/bin/env bash
# Resolves Apache Kafka 4.3.1 (broker and tools) from Maven Central into bench/target/lib, once per version of
# bench/pom.xml, and compiles the helper in bench/src into bench/target/classes.
set -euo pipefail
cd "$(dirname "$0")"

stamp=$(cat pom.xml | sha1sum | cut -c1-40)
if [ "$(cat target/lib/.pom-sha1 2>/dev/null || true)" != "$stamp" ]; then
  echo "bench: resolving Kafka 4.3.1 into bench/target/lib" >&2
  rm -rf target/lib
  mvn -B -q -Dstyle.color=never -f pom.xml dependency:copy-dependencies -DoutputDirectory=target/lib -DincludeScope=runtime
  echo "$stamp" > target/lib/.pom-sha1
fi

# The helpers in src/ (a consumer without a group for the harness, the soak), compiled when any is newer.
mkdir -p target/classes
for src in src/*.java; do
  class="target/classes/$(basename "$src" .java).class"
  if [ ! -f "$class" ] || [ "$src" -nt "$class" ]; then
    javac -nowarn -cp "target/lib/*" -d target/classes src/*.java
    break
  fi
done
