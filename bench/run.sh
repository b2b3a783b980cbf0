#!/usr/bin/env bash
# wati-camel benchmark: builds the runtime jar if missing, then runs the harness (bench/Bench.java).
#   bench/run.sh            full run (< 10 min on 2 cores); exit 3 when a threshold is missed
#   bench/run.sh --quick    short run (< 2 min), no thresholds
# Extra harness options are passed through, e.g. --runtime-opt=-Dkey=value (applied to every runtime
# process, before -jar), --forwarder-opt=-Dkey=value (the plain Camel forwarder's JVM),
# --only=throughput,forwarder,media,coldstart,restart,ext,ingest,campaign,variants,profile, --skip=..., --variant=name:-Da=b -Dc=d
# Sections: throughput (+ forwarder) = send_session_message req/s and latency; media = get_media / send_session_file
# at -Xmx128m; coldstart, restart = start to healthy; ext = throttle accuracy and async actions through the outbox;
# ingest = WATI webhook events in (#13): N distinct events (+10 % redeliveries) POSTed to /webhooks/wati/main/{secret}
# at c=8 and c=32 on H2 and on a throwaway PostgreSQL (initdb/pg_ctl from /usr/lib/postgresql/*/bin or PG_BIN,
# PostgreSQL's default settings, fsync on; skipped with a note when absent), the events worker forwarding each event
# to a double: answers/s, p50/p99/max, duplicate flags, forwarded once each, processing rate and lag, CPU split
# (full: 20 000 events per run, quick: 2 000; --ingest-events=N, --ingest-db=h2,postgresql; no thresholds);
# campaign = a bulk template campaign (#14) of N recipients (2 parameters each) POSTed to /api/v1/campaigns, sent by one
# runtime on H2 and by two runtimes on one throwaway PostgreSQL, against a double that answers every sendTemplateMessages
# and counts each number: time to the 202 and to finished, recipients/s, calls/s, doubled, lost, peak RSS, CPU split
# (full: a 10 000 warm-up then 100 000 on both databases, quick: 10 000 on H2 only; --campaign-recipients=N, --campaign-warm=N, --campaign-db=h2,postgresql,
# --campaign-rate=<account calls/s, default 50>, --campaign-profile adds JFR of the first runtime and pg_stat_statements);
# variants = --variant runs; profile = JFR of the worst ratio (full run only). --only=soak is a warm-up diagnostic.
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
