#!/usr/bin/env bash
# wati-camel benchmark: builds the runtime jar if missing, then runs the harness (bench/Bench.java).
#   bench/run.sh            full run (< 10 min on 2 cores); exit 3 when a threshold is missed
#   bench/run.sh --quick    short run (< 2 min), no thresholds
# Extra harness options are passed through, e.g. --runtime-opt=-Dkey=value (applied to every runtime
# process, before -jar), --forwarder-opt=-Dkey=value (the plain Camel forwarder's JVM),
# --only=throughput,forwarder,media,coldstart,restart,ext,variants,profile, --skip=..., --variant=name:-Da=b -Dc=d
# Environment:
#   BENCH_JAR   the runtime jar to measure (default target/wati-camel.jar, built when missing; a given jar is never built)
#   BENCH_JAVA  java binary or JDK home that runs the runtime and the forwarder (default: $JAVA_HOME/bin/java when
#               JAVA_HOME is set, else the java running the harness, i.e. `java` on the PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [ -n "${BENCH_JAR:-}" ]; then
  JAR=$(cd "$(dirname "$BENCH_JAR")" && pwd)/$(basename "$BENCH_JAR")
  if [ ! -f "$JAR" ]; then
    echo "BENCH_JAR=$BENCH_JAR: no such file" >&2
    exit 2
  fi
else
  JAR=$ROOT/target/wati-camel.jar
  if [ ! -f "$JAR" ]; then
    echo "building $JAR (mvn -B -q -DskipTests package)"
    mvn -B -q -DskipTests package
  fi
fi

# the java for the runtime and the forwarder (the harness resolves it the same way; printed here for the log)
if [ -n "${BENCH_JAVA:-}" ]; then
  TARGET_JAVA=$BENCH_JAVA
  [ -d "$TARGET_JAVA" ] && TARGET_JAVA=$TARGET_JAVA/bin/java
elif [ -n "${JAVA_HOME:-}" ]; then
  TARGET_JAVA=$JAVA_HOME/bin/java
else
  TARGET_JAVA=$(command -v java)
fi
if [ ! -x "$TARGET_JAVA" ]; then
  echo "no executable java at $TARGET_JAVA (BENCH_JAVA / JAVA_HOME)" >&2
  exit 2
fi

echo "== machine"
nproc
free -h
uptime
echo "== runtime, forwarder and harness java: $TARGET_JAVA"
"$TARGET_JAVA" -version 2>&1

# Configuration variants: none by default (the worker pool and POST-only endpoint they measured are
# now shipped); pass your own with --variant=name:-Dkey=value ... to compare settings side by side.
VARIANTS=()

# the load generator, the WATI doubles and the raw copies run in this JVM; the runtime jar is on the
# class path for the Azure SDK (raw copy into Azurite), Vert.x (the doubles) and Jackson, so it runs on
# the runtime's java too (the jar's classes need its Java version)
exec "$TARGET_JAVA" -Xms1g -Xmx1g -XX:+UseParallelGC -Dsun.net.httpserver.nodelay=true \
  -cp "$JAR" "$ROOT/bench/Bench.java" --root="$ROOT" --jar="$JAR" "${VARIANTS[@]}" "$@"
