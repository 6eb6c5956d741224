#!/usr/bin/env bash
# Vane tails and footprint (issue 24): a fixed rate for TAIL_SECONDS per target on Vane (in-memory store), Vane
# (Redis store) and nginx proxy_pass, all in front of the same nginx backend, in alternating slices of SLICE seconds
# (slice k measures the targets in an order rotated by k). Reports p50/p99/p99.9/p99.99 pooled over the slices (wrk's
# whole latency histograms merged, not averaged percentiles), young-GC pauses (count, max) and heap after GC (first vs
# last third) from -Xlog:gc, CPU per request from /proc/<pid>/stat utime+stime (Vane's JVM; nginx master + worker;
# the Redis server of the Redis variant apart), RSS idle and under load (/proc/<pid>/status VmRSS).
#
# Why slices: the machine is shared, and its background load drifts over minutes; rotating short slices spreads that
# drift over the three targets instead of charging it to whichever ran last. Each Vane idles while the others are
# measured (it keeps its heap; its GC simply waits), which the GC figures count only inside its own slices.
#
# Environment (defaults in brackets):
#   TAIL_SECONDS [600]  seconds of load per target (rounded up to whole slices)
#   SLICE [120]         seconds per slice
#   RATE [2000]         requests/s (paced by lua/infer.lua; coordinated omission as in bench/README.md)
#   WARMUP [20]         seconds of saturation on each target first (JIT, sticky stores)
#   CONNS [32], USERS [100000], PROXY_WORKERS [1]
#   TARGETS ["vane-memory vane-redis nginx"]  also: vertx-bare (bench/baseline's bare Vert.x proxy, the framework's
#                       floor, its GC logged like the Vanes')
#   VANE_JAVA [java], VANE_JAVA_OPTS [], VANE_JAR: e.g. VANE_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
#                       VANE_JAVA_OPTS=-XX:+UseZGC (generational on JDK 25) against the default G1 on JDK 17
#   QUICK [0]           1 = smoke run: TAIL_SECONDS=20 SLICE=10 WARMUP=5 unless set
#
# Output: a table on stdout, bench/out/tails-<timestamp>.json, raw files in bench/out/tails-<timestamp>/.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
. "$HERE/lib.sh"
CMDLINE=$(cmdline bench/tails.sh QUICK TAIL_SECONDS SLICE RATE WARMUP CONNS USERS PROXY_WORKERS TARGETS VANE_JAVA VANE_JAVA_OPTS)
if [[ "${QUICK:-0}" == 1 ]]; then
  TAIL_SECONDS=${TAIL_SECONDS:-20}; SLICE=${SLICE:-10}; WARMUP=${WARMUP:-5}
fi
TAIL_SECONDS=${TAIL_SECONDS:-600}
SLICE=${SLICE:-120}
RATE=${RATE:-2000}
WARMUP=${WARMUP:-20}
CONNS=${CONNS:-32}
USERS=${USERS:-100000}
PROXY_WORKERS=${PROXY_WORKERS:-1}
TARGETS=${TARGETS:-vane-memory vane-redis nginx}
read -r -a TGT <<<"$TARGETS"
SLICES=$(((TAIL_SECONDS + SLICE - 1) / SLICE))
GROWTH="$PY $HERE/growth.py"

bench_deps
bench_rundir tails
machine_facts
export F_COMMAND="$CMDLINE"
write_meta "$RUN/meta.json" "TS TARGETS VANE_JAVA VANE_JAVA_OPTS" "TAIL_SECONDS SLICE SLICES RATE WARMUP CONNS USERS PROXY_WORKERS"

BACKEND_PORT=$(port); PROXY_PORT=$(port); REDIS_PORT=$(port)
start_nginx backend backend PORT="$BACKEND_PORT" BODY="$RESP_BODY"
start_nginx proxy proxy PORT="$PROXY_PORT" BACKEND_PORT="$BACKEND_PORT" WORKERS="$PROXY_WORKERS"
start_redis "$REDIS_PORT"
declare -A URL=([nginx]="http://127.0.0.1:$PROXY_PORT")
for v in vane-memory vane-redis; do
  p=$(port); a=$(port)
  extra=()
  [[ $v == vane-redis ]] && extra=(store=redis "redis=redis://127.0.0.1:$REDIS_PORT")
  $GROWTH config base "$RUN/$v.yaml" - port="$p" admin="$a" loops="$PROXY_WORKERS" backend="http://127.0.0.1:$BACKEND_PORT" \
    "${extra[@]}"
  validate_config "$RUN/$v.yaml"
  start_vane "$v"
  URL[$v]="http://127.0.0.1:$p"
done
if [[ " $TARGETS " == *" vertx-bare "* ]]; then
  # the framework floor: a Vert.x proxy that only forwards (bench/baseline), same loops, logged like the Vanes' GC
  compile_baselines
  p=$(port)
  # shellcheck disable=SC2086
  bg vertx-bare "$VANE_JAVA" $VANE_JAVA_OPTS -Xlog:gc,gc+phases=info:file="$RUN/logs/vertx-bare-gc.log":uptime,level,tags \
    -cp "$RUN/vane.jar:$RUN/baseline" BareVertxProxy "$p" "$BACKEND_PORT" "$PROXY_WORKERS" auto
  URL[vertx-bare]="http://127.0.0.1:$p"
  $VB wait-http "${URL[vertx-bare]}/" 30 || die "vertx-bare did not start"
fi
$VB wait-http "${URL[nginx]}/" 10 || die "nginx did not start"
for v in vane-memory vane-redis; do
  $VB wait-http "${URL[$v]}/readyz" 120 || { tail -30 "$RUN/logs/$v.log" >&2; die "$v not ready"; }
done

# ---------------------------------------------------------------- /proc figures
HZ=$(getconf CLK_TCK)
procs() { # procs TARGET: "name:pid ..." of the processes whose CPU and RSS count for TARGET
  case $1 in
    nginx) echo "nginx:$PID_nginx_proxy $(for c in $(cat /proc/"$PID_nginx_proxy"/task/*/children 2>/dev/null); do echo "nginx:$c"; done)" ;;
    vane-memory) echo "vane:$PID_vane_memory" ;;
    vane-redis) echo "vane:$PID_vane_redis redis:$PID_redis" ;;
    vertx-bare) echo "vertx:$PID_vertx_bare" ;;
  esac
}
proc_sum() { # proc_sum TARGET FILE AWK DIVISOR: JSON {name: sum over the target's processes of AWK on /proc/<pid>/FILE / DIVISOR}
  local t=$1 file=$2 prog=$3 div=$4 np name pid
  declare -A sum=()
  for np in $(procs "$t"); do
    name=${np%%:*}; pid=${np#*:}
    sum[$name]=$((${sum[$name]:-0} + $(awk "$prog" "/proc/$pid/$file")))
  done
  local out="" k
  for k in "${!sum[@]}"; do out+="\"$k\": $(awk -v x="${sum[$k]}" -v d="$div" 'BEGIN { printf "%.1f", x / d }'), "; done
  echo "{${out%, }}"
}
cpu_ticks() { proc_sum "$1" stat '{ print $14 + $15 }' 1; }       # utime + stime, clock ticks
rss_mb() { proc_sum "$1" status '/^VmRSS:/ { print $2 }' 1024; }  # resident set, MB
jvm_uptime() { # jvm_uptime TARGET: seconds since the JVM started (the clock of its -Xlog:gc uptime decoration)
  local var="PID_${1//-/_}"
  [[ -n ${!var:-} && ($1 == vane-* || $1 == vertx-bare) ]] || { echo null; return; }
  awk -v hz="$HZ" -v up="$(cut -d' ' -f1 /proc/uptime)" '{ printf "%.3f", up - $22 / hz }' "/proc/${!var}/stat"
}

# ---------------------------------------------------------------- warm-up, idle RSS, slices
log "warm-up: ${WARMUP} s saturation per target"
for t in "${TGT[@]}"; do
  run_wrk "$RUN/warmup-$t.txt" "$WARMUP" 0 "${URL[$t]}"
  log "  $t: $(summary_line "$RUN/warmup-$t.txt")"
done
sleep 5
{
  echo "{"
  for i in "${!TGT[@]}"; do echo "\"${TGT[$i]}\": $(rss_mb "${TGT[$i]}")$([[ $i -lt $((${#TGT[@]} - 1)) ]] && echo ,)"; done
  echo "}"
} >"$RUN/idle.json"
log "idle RSS after warm-up: $(tr -d '\n' <"$RUN/idle.json")"

: >"$RUN/slices.jsonl"
log "$SLICES slices of ${SLICE} s per target at ${RATE} req/s (about $((SLICES * SLICE * ${#TGT[@]} / 60)) min)"
for k in $(seq 0 $((SLICES - 1))); do
  order=()
  for i in "${!TGT[@]}"; do order+=("${TGT[$(((i + k) % ${#TGT[@]}))]}"); done
  for t in "${order[@]}"; do
    c0=$(cpu_ticks "$t"); j0=$(jvm_uptime "$t")
    # RSS under load: sampled at a third and two thirds of the slice
    (sleep $((SLICE / 3)); rss_mb "$t" >"$RUN/rss-$t-$k-a.json"; sleep $((SLICE / 3)); rss_mb "$t" >"$RUN/rss-$t-$k-b.json") &
    sampler=$!
    PIDS+=("$sampler")
    VB_HIST="$RUN/hist-$t.txt" run_wrk "$RUN/wrk-$t-s$k.txt" "$SLICE" "$RATE" "${URL[$t]}"
    c1=$(cpu_ticks "$t"); j1=$(jvm_uptime "$t")
    wait "$sampler" 2>/dev/null || true
    $PY - "$RUN" "$t" "$k" "$c0" "$c1" "$j0" "$j1" <<'EOF'
import json, sys
run, t, k, c0, c1, j0, j1 = sys.argv[1:]
rss = {}
for part in ("a", "b"):
    try:
        for name, mb in json.load(open("%s/rss-%s-%s-%s.json" % (run, t, k, part))).items():
            rss[name] = max(rss.get(name, 0), mb)
    except (OSError, ValueError):
        pass
rec = {"target": t, "slice": int(k), "wrk": "wrk-%s-s%s.txt" % (t, k), "cpu_before": json.loads(c0),
       "cpu_after": json.loads(c1), "jvm_t0": json.loads(j0), "jvm_t1": json.loads(j1), "rss_mb": rss}
open(run + "/slices.jsonl", "a").write(json.dumps(rec) + "\n")
EOF
    log "  slice $((k + 1))/$SLICES $t: $(summary_line "$RUN/wrk-$t-s$k.txt")"
  done
done

RESULTS="$OUT/tails-$TS.json"
$GROWTH tails "$RUN" "$RESULTS" | tee "$RUN/table.txt"
log "done: $RESULTS (raw files in $RUN)"
