#!/usr/bin/env bash
# Vane growth curves (issue 24, "Cost that grows gently"): how throughput at saturation and latency at a fixed rate
# move as experiments, arms, users and body sizes grow, each against a baseline measured in the same run (one
# experiment with 2 arms, champion/canary 90/10, in-memory store, "base"), targets measured in alternating order
# (odd rounds in the listed order, even rounds reversed). See bench/README.md, "Growth curves and tails".
#
# Environment (defaults in brackets):
#   SCALE [experiments]  what to grow, one or more of: experiments arms users bodies stream (or all)
#   DURATION [10]      seconds per measured wrk run (1 thread, CONNS connections)
#   WARMUP [15]        seconds of saturation on each Vane (and 3 s on nginx) before measuring
#   ROUNDS [2]         measured rounds (a saturation and a fixed-rate run per target per round)
#   RATE [2000]        the fixed rate (req/s, paced by lua/infer.lua); 0 skips the fixed-rate runs
#   CONNS [32], USERS [100000]  wrk connections; distinct X-User-Id values (base, arms, bodies)
#   PROXY_WORKERS [1]  Vane server.eventLoops and nginx worker_processes
#   EXPERIMENTS ["1 10 100 1000"]  SCALE=experiments: experiments (= routes) per Vane, half routed by model name
#                      (KServe v2 /v2/models/m<i>/infer), half by path prefix (/p/<i>/); each request picks one
#                      route uniformly; users per experiment = USERS / n, so every Vane holds the same number of
#                      (user, experiment) pairs
#   ARMS ["2 10 50"]   SCALE=arms: arms per experiment, hash split (variants, equal weights) and Thompson bandit
#                      (policy: thompson, sticky: false, one binary metric, no feedback sent: the posterior stays
#                      at its prior, so the figure is the sampling and attribution cost, not a learning bandit)
#   USER_COUNTS ["10000 1000000 10000000"]  SCALE=users: distinct users; per count one in-memory Vane
#                      (state.maxEntries = count) and one Redis Vane (cacheSize = count), both filled first
#   FILL_SECONDS [1800]  SCALE=users: most seconds of fill per Vane (users in order, saturation); a fill that
#                      stops early is reported with the users it reached, and memory per million is derived from them
#   DIRECT_FILL [1]    SCALE=users: when a Redis Vane's fill stops short, write the remaining users' keys straight
#                      into Redis (Vane's key and value format, redis-cli --pipe) so Redis memory is measured at the
#                      full count (Vane's heap figure stays per user it saw)
#   BODY_SIZES ["200 65536 1048576"]  SCALE=bodies: request body bytes (Vane vs nginx proxy_pass at each size)
#   RESP_BYTES [1048576]  SCALE=bodies: the large-response case (200 B request, RESP_BYTES response)
#   BIG_RATE [200]     SCALE=bodies: the fixed rate for bodies and responses of 1 MB or more (2,000 req/s of 1 MB is
#                      2 GB/s, beyond both proxies here; RATE applies to the smaller sizes)
#   STREAM_CHUNKS [100], STREAM_DELAY_MS [5]  SCALE=stream: events per response and the delay between them
#   STREAM_REQUESTS [1000], STREAM_CONCURRENCY [16]  SCALE=stream: paired requests (each via Vane and direct)
#   STATUS [0]         1 = wrk counts the answers that are not 2xx by status (lua/infer.lua VB_STATUS; costs wrk a
#                      Lua call per answer, so throughput figures are not comparable with STATUS=0 runs)
#   VANE_JAR, VANE_JAVA, VANE_JAVA_OPTS, PYTHON: see bench/lib.sh
#   QUICK [0]          1 = smoke run: DURATION=3 WARMUP=3 ROUNDS=1 USER_COUNTS="10000 200000" FILL_SECONDS=30
#                      STREAM_REQUESTS=200 unless set explicitly
#
# Output: tables on stdout, bench/out/scale-<timestamp>.json, raw files in bench/out/scale-<timestamp>/.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
. "$HERE/lib.sh"
CMDLINE=$(cmdline bench/scale.sh SCALE QUICK DURATION WARMUP ROUNDS RATE CONNS USERS PROXY_WORKERS EXPERIMENTS ARMS \
  USER_COUNTS FILL_SECONDS DIRECT_FILL BODY_SIZES RESP_BYTES BIG_RATE STATUS STREAM_CHUNKS STREAM_DELAY_MS STREAM_REQUESTS STREAM_CONCURRENCY \
  VANE_JAVA VANE_JAVA_OPTS)
if [[ "${QUICK:-0}" == 1 ]]; then
  DURATION=${DURATION:-3}; WARMUP=${WARMUP:-3}; ROUNDS=${ROUNDS:-1}; USER_COUNTS=${USER_COUNTS:-10000 200000}
  FILL_SECONDS=${FILL_SECONDS:-30}; STREAM_REQUESTS=${STREAM_REQUESTS:-200}
fi
SCALE=${SCALE:-experiments}
[[ $SCALE == all ]] && SCALE="experiments arms users bodies stream"
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-15}
ROUNDS=${ROUNDS:-2}
RATE=${RATE:-2000}
CONNS=${CONNS:-32}
USERS=${USERS:-100000}
PROXY_WORKERS=${PROXY_WORKERS:-1}
EXPERIMENTS=${EXPERIMENTS:-1 10 100 1000}
ARMS=${ARMS:-2 10 50}
USER_COUNTS=${USER_COUNTS:-10000 1000000 10000000}
FILL_SECONDS=${FILL_SECONDS:-1800}
DIRECT_FILL=${DIRECT_FILL:-1}
BODY_SIZES=${BODY_SIZES:-200 65536 1048576}
RESP_BYTES=${RESP_BYTES:-1048576}
BIG_RATE=${BIG_RATE:-200}
STATUS=${STATUS:-0}
STREAM_CHUNKS=${STREAM_CHUNKS:-100}
STREAM_DELAY_MS=${STREAM_DELAY_MS:-5}
STREAM_REQUESTS=${STREAM_REQUESTS:-1000}
STREAM_CONCURRENCY=${STREAM_CONCURRENCY:-16}
for m in $SCALE; do
  [[ $m =~ ^(experiments|arms|users|bodies|stream)$ ]] || die "unknown SCALE mode: $m (experiments arms users bodies stream all)"
done
GROWTH="$PY $HERE/growth.py"

bench_deps
bench_rundir scale
machine_facts
export F_COMMAND="$CMDLINE"
write_meta "$RUN/meta.json" "TS SCALE EXPERIMENTS ARMS USER_COUNTS BODY_SIZES STREAM_DELAY_MS VANE_JAVA VANE_JAVA_OPTS" \
  "DURATION WARMUP ROUNDS RATE CONNS USERS PROXY_WORKERS FILL_SECONDS RESP_BYTES BIG_RATE STATUS STREAM_CHUNKS STREAM_REQUESTS \
  STREAM_CONCURRENCY"

# ---------------------------------------------------------------- backend, base Vane
BACKEND_PORT=$(port)
BACKEND="http://127.0.0.1:$BACKEND_PORT"
# the 1 MB (RESP_BYTES) JSON response of the backend's /resp/infer
write_resp_body "$RESP_BYTES"
start_nginx backend backend PORT="$BACKEND_PORT" BODY="$RESP_BODY"

declare -A URL ADMIN EXPS WENV REDISP TRATE # TRATE: a target's own fixed rate (else RATE)
new_vane() { # new_vane NAME KIND key=value...: generate, validate and start a Vane; its URLs in URL/ADMIN
  local name=$1 kind=$2; shift 2
  local p a
  p=$(port); a=$(port)
  $GROWTH config "$kind" "$RUN/$name.yaml" "$RUN/paths-$name.txt" port="$p" admin="$a" loops="$PROXY_WORKERS" "$@"
  validate_config "$RUN/$name.yaml"
  start_vane "$name"
  URL[$name]="http://127.0.0.1:$p"
  ADMIN[$name]="http://127.0.0.1:$a"
  EXPS[$name]=x0
}
wait_ready() { # wait_ready NAME...
  local v
  for v in "$@"; do
    $VB wait-http "${URL[$v]}/readyz" 120 || { tail -30 "$RUN/logs/$v.log" >&2; die "$v not ready"; }
  done
}
new_vane base base backend="$BACKEND" body=4MB
wait_ready base
$VB wait-http "$BACKEND/" 10 || die "backend did not start"

# ---------------------------------------------------------------- measuring
wrk_env() { # wrk_env TARGET run_wrk ARGS...: run_wrk with the target's VB_* settings (WENV)
  local t=$1; shift
  WRK_ENV="${WENV[$t]:-}$([[ $STATUS == 1 ]] && echo " VB_STATUS=1")" "$@"
}
figures() { # figures TARGET FILE: the target's Vane counters (requests, units; Redis: sticky lookups of /metrics)
  [[ -n ${ADMIN[$1]:-} ]] || return 0
  local m=()
  [[ -n ${REDISP[$1]:-} ]] && m=(--metrics)
  # shellcheck disable=SC2086
  $GROWTH figures "${m[@]}" "${ADMIN[$1]}" ${EXPS[$1]} "$2" 2>>"$RUN/logs/figures.log" || true
}
target_url() { echo "${URL[$1]}"; }
measure() { # measure MODE KIND(sat|fixed) ROUND TARGET
  local mode=$1 kind=$2 r=$3 t=$4 rate=0
  [[ $kind == fixed ]] && rate=${TRATE[$t]:-$RATE}
  local tag="$mode-$kind-$t-r$r"
  [[ -n ${REDISP[$t]:-} ]] && redis_snap "$RUN/redis-$tag-before.txt" "${REDISP[$t]}"
  figures "$t" "$RUN/figures-$tag-before.json"
  wrk_env "$t" run_wrk "$RUN/wrk-$tag.txt" "$DURATION" "$rate" "$(target_url "$t")"
  figures "$t" "$RUN/figures-$tag-after.json"
  [[ -n ${REDISP[$t]:-} ]] && redis_snap "$RUN/redis-$tag-after.txt" "${REDISP[$t]}"
  log "  $kind r$r $t: $(summary_line "$RUN/wrk-$tag.txt")"
  sleep 1
}
measure_set() { # measure_set MODE TARGET...: warm every target, then ROUNDS alternating rounds
  local mode=$1 t r i; shift
  local targets=("$@") order
  echo "${targets[*]}" >"$RUN/order-$mode.txt" # the summary lists the targets in this order
  for t in "${targets[@]}"; do
    local secs=$WARMUP
    [[ $t == nginx* ]] && secs=3
    wrk_env "$t" run_wrk "$RUN/warmup-$mode-$t.txt" "$secs" 0 "$(target_url "$t")"
    log "  warm-up $t: $(summary_line "$RUN/warmup-$mode-$t.txt")"
  done
  for r in $(seq "$ROUNDS"); do
    if ((r % 2)); then order=("${targets[@]}"); else order=(); for ((i = ${#targets[@]} - 1; i >= 0; i--)); do order+=("${targets[$i]}"); done; fi
    log "SCALE=$mode round $r/$ROUNDS: ${order[*]}"
    for t in "${order[@]}"; do measure "$mode" sat "$r" "$t"; done
    if ((RATE > 0)); then for t in "${order[@]}"; do measure "$mode" fixed "$r" "$t"; done; fi
  done
}
jvm_heap_mb() { # jvm_heap_mb NAME: heap after a full GC (jcmd GC.run, then the last "Pause Full" of its gc log), MB
  local var="PID_${1//-/_}" n
  n=$(grep -c 'Pause Full\|Major Collection\|Garbage Collection (System.gc())' "$RUN/logs/$1-gc.log" 2>/dev/null || true)
  jcmd "${!var}" GC.run >/dev/null 2>&1 || true
  for _ in $(seq 100); do
    (($(grep -c 'Pause Full\|Major Collection\|Garbage Collection (System.gc())' "$RUN/logs/$1-gc.log") > n)) && break
    sleep 0.2
  done
  # G1: "Pause Full (System.gc()) 120M->80M(512M)"; ZGC: "Major Collection (System.gc()) 120M(2%)->80M(1%)"
  grep -E 'Pause Full|\(System.gc\(\)\)' "$RUN/logs/$1-gc.log" | grep -E 'M(\([0-9]+%\))?->' | tail -1 \
    | sed -E 's/.* [0-9]+M(\([0-9]+%\))?->([0-9]+)M.*/\2/'
}
redis_mem() { redis-cli -p "$REDIS_PORT" INFO memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p'; }

# ---------------------------------------------------------------- the modes
mode_experiments() {
  local names=() n
  for n in $EXPERIMENTS; do
    new_vane "exp-$n" experiments backend="$BACKEND" n="$n"
    names+=("exp-$n")
    local u=$((USERS / n)); ((u >= 1)) || u=1
    WENV[exp-$n]="VB_PATHS=$RUN/paths-exp-$n.txt VB_USERS=$u"
    # figures from the first 20 experiments (seq bounded, not cut by head: SIGPIPE under pipefail ends the run)
    EXPS[exp-$n]=$(seq -f 'x%g' 0 $(((n < 20 ? n : 20) - 1)) | tr '\n' ' ')
  done
  wait_ready "${names[@]}"
  measure_set experiments base "${names[@]}"
  local h
  for n in base "${names[@]}"; do # what each experiment's counters hold, with every arm having served traffic
    h=$(jvm_heap_mb "$n")
    echo "$n $h" >>"$RUN/heap-experiments.txt"
    log "  heap after a full GC, $n: $h MB"
  done
  for n in "${names[@]}"; do stop "$n"; done
}

mode_arms() {
  local names=() k
  for k in $ARMS; do
    new_vane "hash-$k" hash backend="$BACKEND" arms="$k"
    new_vane "thompson-$k" thompson backend="$BACKEND" arms="$k"
    names+=("hash-$k" "thompson-$k")
  done
  wait_ready "${names[@]}"
  measure_set arms base "${names[@]}"
  for k in "${names[@]}"; do stop "$k"; done
}

mode_users() {
  [[ -n ${REDIS_PORT:-} ]] || { REDIS_PORT=$(port); start_redis "$REDIS_PORT"; }
  local n
  for n in $USER_COUNTS; do
    redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
    new_vane "mem-$n" base backend="$BACKEND" entries="$n"
    new_vane "redis-$n" base backend="$BACKEND" entries="$n" store=redis redis="redis://127.0.0.1:$REDIS_PORT"
    REDISP[redis-$n]=$REDIS_PORT
    wait_ready "mem-$n" "redis-$n"
    local v
    for v in "mem-$n" "redis-$n"; do
      # JIT warm-up on a few users (they stay in the store: 1,000 of them), then the heap before the fill
      VB_USERS=1000 run_wrk "$RUN/warmup-users-$v-jit.txt" "$WARMUP" 0 "${URL[$v]}"
      local h0 m0 t0 sent=0 i=0 secs f rps
      rps=$(sed -n 's/^Requests\/sec: *\([0-9]*\).*/\1/p' "$RUN/warmup-users-$v-jit.txt")
      h0=$(jvm_heap_mb "$v")
      m0=$(redis_mem)
      t0=$(date +%s.%N)
      log "  fill $v: users in order, at most ${FILL_SECONDS} s (heap before ${h0} MB)"
      # users user-1 .. user-n in order at saturation, in runs of at most 60 s (each as long as the remaining users
      # need at the last run's rate, plus 10%), until all n were sent or time is up
      while ((sent < n)); do
        local left need
        left=$(awk -v t0="$t0" -v cap="$FILL_SECONDS" 'BEGIN { srand(); printf "%d", cap - (systime() - t0) }')
        ((left >= 1)) || break
        need=$(((n - sent) * 11 / 10 / (${rps:-1000} > 0 ? ${rps:-1000} : 1000) + 1))
        secs=$((left < 60 ? left : 60))
        secs=$((need < secs ? need : secs))
        f="$RUN/fill-$v-$i.txt"
        VB_SEQ=1 VB_SEQ_START=$sent VB_USERS=$n run_wrk "$f" "$secs" 0 "${URL[$v]}"
        sent=$((sent + $(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$f")))
        rps=$(sed -n 's/^Requests\/sec: *\([0-9]*\).*/\1/p' "$f")
        i=$((i + 1))
      done
      local t1 h1 m1
      t1=$(date +%s.%N)
      h1=$(jvm_heap_mb "$v")
      m1=$(redis_mem)
      local filled=$((sent < n ? sent : n)) m2="" direct=0
      if [[ $v == redis-* && $DIRECT_FILL == 1 ]] && ((filled < n)); then
        # the users Vane did not reach, as Vane writes them (README "State": vane:sticky:<experiment>:<salt>:<unit> ->
        # <arm>@<epoch second>, with the store's TTL, 30 d by default)
        direct=$((n - filled))
        log "  direct fill $v: users $((filled + 1))..$n straight into Redis"
        $PY -c 'import sys, time
a, b, now = int(sys.argv[1]), int(sys.argv[2]), int(time.time())
w = sys.stdout.write
for i in range(a, b + 1):
    k = "vane:sticky:x0:bench-1:user-%d" % i; val = "champion@%d" % now
    w("*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$2\r\nPX\r\n$10\r\n2592000000\r\n" % (len(k), k, len(val), val))' \
          "$((filled + 1))" "$n" | redis-cli -p "$REDIS_PORT" --pipe >"$RUN/logs/direct-fill-$v.log" 2>&1 \
          || log "  direct fill failed: $(tail -2 "$RUN/logs/direct-fill-$v.log")"
        m2=$(redis_mem)
      fi
      log "  fill $v: $filled of $n users in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s," \
        "heap after full GC ${h0} -> ${h1} MB"
      $PY - "$RUN/extra-fill-$v.json" "$n" "$filled" "$sent" "$t0" "$t1" "$h0" "$h1" "$m0" "$m1" "$v" "$m2" "$direct" <<'EOF'
import json, sys
out, n, filled, sent, t0, t1, h0, h1, m0, m1, v, m2, direct = sys.argv[1:]
n, filled, sent = int(n), int(filled), int(sent)
num = lambda x: float(x) if x not in ("", None) else None
h0, h1, m0, m1 = num(h0), num(h1), num(m0), num(m1)
d = {"users": n, "filled": filled, "requests_sent": sent, "fill_seconds": round(float(t1) - float(t0), 1),
     "heap_mb_before": h0, "heap_mb_after": h1,
     "heap_delta_mb": (h1 - h0) if h0 is not None and h1 is not None else None,
     "note": "heap after a full GC (jcmd GC.run) before and after the fill; the stores allocate a quarter of their "
             "capacity (maxEntries / cacheSize = users) at a time, so the delta moves in steps"}
if d["heap_delta_mb"] is not None and filled:
    d["heap_mb_per_million"] = d["heap_delta_mb"] * 1e6 / filled
if v.startswith("redis-") and m0 is not None and m1 is not None:
    d["redis_used_memory_delta_mb"] = (m1 - m0) / 2**20
    if filled:
        d["redis_mb_per_million"] = d["redis_used_memory_delta_mb"] * 1e6 / filled
    if m2 and int(direct):
        d["direct_filled"] = int(direct)
        d["redis_used_memory_delta_mb_with_direct_fill"] = (float(m2) - m0) / 2**20
        d["redis_mb_per_million"] = d["redis_used_memory_delta_mb_with_direct_fill"] * 1e6 / n
        d["redis_note"] = "Redis per million from all n users: filled through Vane plus direct_filled written by the harness"
json.dump(d, open(out, "w"), indent=1)
EOF
    done
    WENV[mem-$n]="VB_USERS=$n"
    WENV[redis-$n]="VB_USERS=$n"
    WENV[base]=""
    measure_set users base "mem-$n" "redis-$n"
    stop "mem-$n"; stop "redis-$n"
  done
}

mode_bodies() {
  local PROXY_PORT s targets=(base)
  PROXY_PORT=$(port)
  start_nginx proxy proxy PORT="$PROXY_PORT" BACKEND_PORT="$BACKEND_PORT" WORKERS="$PROXY_WORKERS"
  $VB wait-http "http://127.0.0.1:$PROXY_PORT/" 10 || die "nginx proxy did not start"
  URL[nginx]="http://127.0.0.1:$PROXY_PORT"
  for s in $BODY_SIZES; do
    local pool=0
    ((s >= 65536)) && pool=64 # prebuilt requests: wrk's Lua would otherwise copy the body per request
    # the same two processes (nginx, base) measured at each size under their own target names
    URL[nginx-req$s]=${URL[nginx]}; URL[vane-req$s]=${URL[base]}; ADMIN[vane-req$s]=${ADMIN[base]}; EXPS[vane-req$s]=x0
    WENV[nginx-req$s]="VB_BODY_BYTES=$s VB_POOL=$pool"
    WENV[vane-req$s]="VB_BODY_BYTES=$s VB_POOL=$pool"
    if ((s >= 1048576)); then TRATE[nginx-req$s]=$BIG_RATE; TRATE[vane-req$s]=$BIG_RATE; fi
    targets+=("nginx-req$s" "vane-req$s")
  done
  URL[nginx-resp$RESP_BYTES]=${URL[nginx]}; URL[vane-resp$RESP_BYTES]=${URL[base]}; ADMIN[vane-resp$RESP_BYTES]=${ADMIN[base]}
  EXPS[vane-resp$RESP_BYTES]=x0
  WENV[nginx-resp$RESP_BYTES]="VB_PATH=/resp/infer"
  WENV[vane-resp$RESP_BYTES]="VB_PATH=/resp/infer"
  if ((RESP_BYTES >= 1048576)); then TRATE[nginx-resp$RESP_BYTES]=$BIG_RATE; TRATE[vane-resp$RESP_BYTES]=$BIG_RATE; fi
  targets+=("nginx-resp$RESP_BYTES" "vane-resp$RESP_BYTES")
  # the response route: check the size once
  local got
  got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' -X POST -H 'X-User-Id: u1' -d '{}' "${URL[base]}/resp/infer")
  log "  Vane /resp/infer: $got (expected 200 $RESP_BYTES)"
  measure_set bodies "${targets[@]}"
  stop nginx-proxy
}

mode_stream() {
  local SSE_PORT
  SSE_PORT=$(port)
  bg sse "$PY" "$HERE/growth.py" sse-serve "$SSE_PORT" "$STREAM_CHUNKS" "$STREAM_DELAY_MS"
  new_vane stream stream backend="http://127.0.0.1:$SSE_PORT" warm="$BACKEND"
  wait_ready stream
  local direct="http://127.0.0.1:$SSE_PORT/v2/models/stream/infer" via="${URL[stream]}/v2/models/stream/infer"
  # the request path is compiled by the JIT after some 10,000 requests: a few hundred streams alone leave it
  # interpreted, and measured a cold Vane (first event +2.3 ms at p50 cold against +0.6 ms warm, 2026-12-07)
  log "SCALE=stream: warm-up ($WARMUP s of wrk through the JSON route, 200 streams), then $STREAM_REQUESTS paired streams ($STREAM_CONCURRENCY at a time)"
  run_wrk "$RUN/warmup-stream-wrk.txt" "$WARMUP" 0 "${URL[stream]}"
  $GROWTH ttfb "$RUN/stream-warmup.json" 200 "$STREAM_CONCURRENCY" direct="$direct" vane="$via"
  # direct twice (an A/A pair: the noise floor of the client and the machine), then through Vane
  $GROWTH ttfb "$RUN/extra-stream.json" "$STREAM_REQUESTS" "$STREAM_CONCURRENCY" direct="$direct" direct-again="$direct" \
    vane="$via"
  $PY - "$RUN/extra-stream.json" "$STREAM_CHUNKS" "$STREAM_DELAY_MS" <<'EOF'
import json, sys
p = sys.argv[1]; d = json.load(open(p)); d["chunks"] = int(sys.argv[2]); d["delay_ms"] = float(sys.argv[3])
json.dump(d, open(p, "w"), indent=1)
EOF
  stop stream; stop sse
}

for m in $SCALE; do
  log "==== SCALE=$m"
  "mode_$m"
done

RESULTS="$OUT/scale-$TS.json"
$GROWTH summary "$RUN" "$RESULTS" | tee "$RUN/table.txt"
for l in "$RUN"/logs/*.log; do
  case $l in *-gc.log | */validate-*) continue ;; esac
  if grep -qE 'Exception|ERROR' "$l"; then
    log "note: $(basename "$l") mentions errors/exceptions: $(grep -cE 'Exception|ERROR' "$l") lines"
  fi
done
log "done: $RESULTS (raw files in $RUN)"
