#!/usr/bin/env bash
# Two builds of Vane against each other in the same run: the same generated base config (one experiment, champion
# and canary 90/10, in-memory store, one event loop) in two processes, one per jar, in front of one nginx backend,
# measured at saturation in alternating rounds (odd rounds A first, even rounds B first), with each process's CPU per
# request from /proc/<pid>/stat. For a change whose effect is smaller than this guest's noise between runs.
#
# Environment (defaults in brackets):
#   A_JAR (required), B_JAR [gateway/target/vane.jar]  the two builds
#   TARGET [resp]      resp: a 200 B request with a RESP_BYTES response; infer: the 200 B KServe v2 request and its
#                      ~150 B response; req: a BODY_BYTES request body
#   RESP_BYTES [1048576], BODY_BYTES [1048576]
#   ROUNDS [4], DURATION [10], WARMUP [15]  alternating rounds, seconds per measured and per warm-up wrk run
#   CONNS [32], USERS [100000]
#
# Output: a table on stdout; raw wrk files in bench/out/jar-ab-<timestamp>/.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
. "$HERE/lib.sh"
: "${A_JAR:?A_JAR: the first jar (e.g. a build of the previous commit)}"
B_JAR=${B_JAR:-$ROOT/gateway/target/vane.jar}
TARGET=${TARGET:-resp}
RESP_BYTES=${RESP_BYTES:-1048576}
BODY_BYTES=${BODY_BYTES:-1048576}
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-15}
CONNS=${CONNS:-32}
USERS=${USERS:-100000}
[[ $TARGET =~ ^(resp|infer|req)$ ]] || die "unknown TARGET: $TARGET (resp infer req)"
bench_deps
bench_rundir jar-ab
cp "$A_JAR" "$RUN/a.jar"
cp "$B_JAR" "$RUN/b.jar"

BACKEND_PORT=$(port)
write_resp_body "$RESP_BYTES"
start_nginx backend backend PORT="$BACKEND_PORT" BODY="$RESP_BODY"
$VB wait-http "http://127.0.0.1:$BACKEND_PORT/" 10 || die "backend did not start"

declare -A URL PID
for v in a b; do
  p=$(port); adm=$(port)
  $PY "$HERE/growth.py" config base "$RUN/$v.yaml" "$RUN/paths-$v.txt" port="$p" admin="$adm" loops=1 \
    backend="http://127.0.0.1:$BACKEND_PORT" body=4MB
  validate_config "$RUN/$v.yaml"
  # shellcheck disable=SC2086
  bg "vane-$v" "$VANE_JAVA" $VANE_JAVA_OPTS -jar "$RUN/$v.jar" serve --config "$RUN/$v.yaml"
  var="PID_vane_$v"; PID[$v]=${!var}
  URL[$v]="http://127.0.0.1:$p"
done
for v in a b; do $VB wait-http "${URL[$v]}/readyz" 120 || die "vane-$v not ready"; done

case $TARGET in
  resp) path=/resp/infer; export VB_PATH=/resp/infer ;;
  infer) path=/v2/models/fraud/infer ;;
  req) path=/v2/models/fraud/infer; export VB_BODY_BYTES=$BODY_BYTES VB_POOL=64 ;;
esac
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime, clock ticks
for v in a b; do run_wrk "$RUN/warmup-$v.txt" "$WARMUP" 0 "${URL[$v]}" infer "$path"; done
declare -A RPS CPU
for r in $(seq 1 "$ROUNDS"); do
  order="a b"; ((r % 2 == 0)) && order="b a"
  for v in $order; do
    c0=$(cpu "${PID[$v]}")
    run_wrk "$RUN/wrk-$v-r$r.txt" "$DURATION" 0 "${URL[$v]}" infer "$path"
    c1=$(cpu "${PID[$v]}")
    n=$(awk '/requests in/{print $1}' "$RUN/wrk-$v-r$r.txt")
    rps=$(awk '/Requests\/sec/{print $2}' "$RUN/wrk-$v-r$r.txt")
    us=$($PY -c "import os,sys; print(round((int(sys.argv[2]) - int(sys.argv[1])) * 1e6 / os.sysconf('SC_CLK_TCK') / int(sys.argv[3]), 1))" "$c0" "$c1" "$n")
    RPS[$v]+="$rps "; CPU[$v]+="$us "
    log "round $r $v: $rps req/s, $us us CPU per request"
    sleep 1
  done
done
med() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "TARGET=$TARGET: A=$A_JAR B=$B_JAR ($ROUNDS rounds of $DURATION s)"
printf '%-4s %-40s %10s %-40s %12s\n' jar "req/s per round" median "CPU us/request per round" median
for v in a b; do
  printf '%-4s %-40s %10s %-40s %12s\n' "$v" "${RPS[$v]}" "$(echo "${RPS[$v]}" | med)" "${CPU[$v]}" "$(echo "${CPU[$v]}" | med)"
done
echo "B / A req/s (medians): $($PY -c "import sys; print(round(float(sys.argv[2]) / float(sys.argv[1]), 3))" \
  "$(echo "${RPS[a]}" | med)" "$(echo "${RPS[b]}" | med)")"
