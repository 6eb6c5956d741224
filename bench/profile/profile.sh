#!/usr/bin/env bash
# CPU (or allocation) profile of a running Vane with async-profiler, while the caller puts load on it.
#   bench/profile/profile.sh PID SECONDS OUT.collapsed [EVENT]     EVENT: cpu (default), itimer or alloc
# Fetches tools.profiler:async-profiler (Maven Central) into ~/.m2 the first time, attaches, records SECONDS, writes
# collapsed stacks to OUT, and prints where the samples fall (python3 bench/profile/summary.py OUT).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PID=$1; SECS=$2; OUT=$3; EVENT=${4:-cpu}
AP_VERSION=${AP_VERSION:-4.1}
JAR=~/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar
[[ -f $JAR ]] || mvn -q dependency:get -Dartifact=tools.profiler:async-profiler:$AP_VERSION -Dtransitive=false
LIB=$(dirname "$JAR")/linux-x64/libasyncProfiler.so
[[ -f $LIB ]] || (cd "$(dirname "$JAR")" && unzip -q -o "$JAR" 'linux-x64/*')
OPTS="start,event=$EVENT"
[[ $EVENT == cpu || $EVENT == itimer ]] && OPTS="$OPTS,interval=500us"
java "$HERE/Attach.java" "$PID" "$LIB" "$OPTS"
sleep "$SECS"
java "$HERE/Attach.java" "$PID" "$LIB" "stop,file=$(realpath -m "$OUT"),collapsed"
python3 "$HERE/summary.py" "$OUT"
