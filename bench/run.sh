#!/usr/bin/env bash
# wati-camel benchmark: builds the runtime jar if missing, then runs the harness (bench/Bench.java).
#   bench/run.sh            full run (< 10 min on 2 cores); exit 3 when a threshold is missed
#   bench/run.sh --quick    short run (< 2 min), no thresholds
# Extra harness options are passed through, e.g. --runtime-opt=-Dkey=value (applied to every runtime
# process, before -jar), --only=throughput,media,coldstart,ext,variants,profile, --skip=..., --variant=name:-Da=b -Dc=d
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAR=$ROOT/target/wati-camel.jar

if [ ! -f "$JAR" ]; then
  echo "building $JAR (mvn -B -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi

echo "== machine"
nproc
free -h
java -version 2>&1

QUICK=0
for a in "$@"; do
  [ "$a" = "--quick" ] && QUICK=1
done

# Configuration variants: none by default (the worker pool and POST-only endpoint they measured are
# now shipped); pass your own with --variant=name:-Dkey=value ... to compare settings side by side.
VARIANTS=()

# the load generator, the WATI doubles and the raw copies run in this JVM; the runtime jar is on the
# class path for the Azure SDK (raw copy into Azurite) and Jackson
exec java -Xms1g -Xmx1g -XX:+UseParallelGC -Dsun.net.httpserver.nodelay=true \
  -cp "$JAR" "$ROOT/bench/Bench.java" --root="$ROOT" --jar="$JAR" "${VARIANTS[@]}" "$@"
