#!/usr/bin/env bash
# Vane benchmark harness: backend direct, nginx proxy_pass, two framework floors (bare Netty and bare Vert.x
# proxies, bench/baseline/), and four Vane variants (in-memory sticky store,
# Thompson-sampling bandit, Redis sticky store, 100% shadow mirroring to a 200 ms backend), measured with wrk in one
# run, each target at least twice in alternating order, at saturation and at a fixed rate; plus Vane's feedback
# ingestion (POST /v1/feedback, batches of FB_EVENTS events and single events) on one instance. See bench/README.md.
#
# Environment (defaults in brackets):
#   DURATION [15]      seconds per measured wrk run
#   WARMUP   [20]      seconds of saturation load on each Vane before measuring (JIT warm-up; Redis users warm)
#   ROUNDS   [2]       measured rounds; odd rounds go direct -> shadow, even rounds the reverse order
#   RATE     [2000]    fixed rate (req/s) of the paced runs; 0 skips them
#   FIXED_ROUNDS [ROUNDS]  rounds of the paced runs (more than ROUNDS: the extra rounds are paced runs only; the
#                      p99 budgets are decided by the median of per-round ratios, so more rounds steady them)
#   CONNS    [32]      wrk connections (always 1 wrk thread)
#   USERS    [100000]  distinct X-User-Id values
#   PROXY_WORKERS [1]  nginx proxy worker_processes and Vane server.eventLoops (kept equal)
#   TRANSPORT [auto]   Vane server.transport (auto = epoll, epoll, io_uring, nio); the bare Vert.x proxy uses the
#                      same, the bare Netty proxy io_uring when it is io_uring and epoll otherwise
#   SHADOW_SLEEP [0.2] seconds the shadow backend waits before answering
#   SHADOW_INFLIGHT [2000]  maxShadowInFlight (and maxConnections) of Vane's shadow endpoint
#   REDIS_CACHE_SIZE, REDIS_STALENESS [Vane's defaults]  Vane's Redis local cache size and staleness bound
#   VANE_JAR [gateway/target/vane.jar]  built with mvn when missing; copied into the run directory before use
#   VANE_JAVA [java]   the java binary for Vane and the floors; VANE_JAVA_OPTS []  extra JVM options for every Vane
#   JFR [0]            1 = after the measurements, record JFR_SECONDS [30] of JFR (settings=profile) on
#                      JFR_TARGET [vane-redis] under saturation and print the hot methods / allocation sites
#   FB_EVENTS [100]    events per feedback batch request (the single-event variant always sends 1)
#   FEED [1]           1 = while vane-bandit is under wrk load, a background feeder (vb.py feeder, FEED_RATE [50]
#                      inference requests/s of its own) posts click feedback by request id, so the posterior moves
#   ONLY [all]         space-separated subset of targets to measure: direct nginx netty-bare vertx-bare vane-memory
#                      vane-bandit vane-redis vane-shadow feedback
#   QUICK [0]          1 = smoke run: DURATION=3 WARMUP=3 ROUNDS=1 unless set explicitly
#
# Output: the table on stdout, bench/out/results-<timestamp>.json, raw files in bench/out/run-<timestamp>/.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
. "$HERE/lib.sh"
CMDLINE=$(cmdline bench/run.sh ONLY QUICK DURATION WARMUP ROUNDS FIXED_ROUNDS RATE CONNS USERS PROXY_WORKERS TRANSPORT JFR \
  JFR_TARGET REDIS_STALENESS REDIS_CACHE_SIZE VANE_JAVA VANE_JAVA_OPTS FB_EVENTS FEED FEED_RATE)
if [[ "${QUICK:-0}" == 1 ]]; then
  DURATION=${DURATION:-3}; WARMUP=${WARMUP:-3}; ROUNDS=${ROUNDS:-1}
fi
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-20}
ROUNDS=${ROUNDS:-2}
FIXED_ROUNDS=${FIXED_ROUNDS:-$ROUNDS}
RATE=${RATE:-2000}
CONNS=${CONNS:-32}
USERS=${USERS:-100000}
PROXY_WORKERS=${PROXY_WORKERS:-1}
TRANSPORT=${TRANSPORT:-auto}
SHADOW_SLEEP=${SHADOW_SLEEP:-0.2}
SHADOW_INFLIGHT=${SHADOW_INFLIGHT:-2000}
REDIS_CACHE_SIZE=${REDIS_CACHE_SIZE:-}
REDIS_STALENESS=${REDIS_STALENESS:-}
FB_EVENTS=${FB_EVENTS:-100}
FEED=${FEED:-1}
FEED_RATE=${FEED_RATE:-50}
JFR=${JFR:-0}
JFR_SECONDS=${JFR_SECONDS:-30}
JFR_TARGET=${JFR_TARGET:-vane-redis}

# ---------------------------------------------------------------- dependencies, run directory and cleanup (lib.sh)
bench_deps
bench_rundir run

BACKEND_PORT=$(port); SLOW_PORT=$(port); PROXY_PORT=$(port); REDIS_PORT=$(port)
BARE_PORT=$(port); NETTY_PORT=$(port); MEM_PORT=$(port); REDISV_PORT=$(port); SHADOW_PORT=$(port); BANDIT_PORT=$(port); FEEDBACK_PORT=$(port)
# each Vane's admin listener (experiments, results, feedback): loopback, so no token is needed
MEM_ADMIN=$(port); REDISV_ADMIN=$(port); SHADOW_ADMIN=$(port); BANDIT_ADMIN=$(port); FEEDBACK_ADMIN=$(port)
# ports come from the kernel one at a time; make sure they are distinct
[[ $(printf "%s\n" $BACKEND_PORT $SLOW_PORT $PROXY_PORT $REDIS_PORT $BARE_PORT $NETTY_PORT $MEM_PORT $REDISV_PORT $SHADOW_PORT $BANDIT_PORT \
  $FEEDBACK_PORT | sort -u | wc -l) -eq 11 ]] \
  || die "free-port collision, run again"

# ---------------------------------------------------------------- backends and nginx
start_nginx backend backend PORT="$BACKEND_PORT" BODY="$RESP_BODY"
start_nginx slow slow PORT="$SLOW_PORT" BODY="$RESP_BODY" SLEEP="$SHADOW_SLEEP" ECHO_MODULE="$ECHO_MODULE"
start_nginx proxy proxy PORT="$PROXY_PORT" BACKEND_PORT="$BACKEND_PORT" WORKERS="$PROXY_WORKERS"
start_redis "$REDIS_PORT"

# ---------------------------------------------------------------- Vane configs
vane_config() { # vane_config FILE PORT KIND(memory|redis|shadow|bandit|feedback) ADMIN_PORT
  local f=$1 p=$2 kind=$3 ap=$4 store=memory shadow=0
  [[ $kind == redis ]] && store=redis
  [[ $kind == shadow ]] && shadow=1
  {
    cat <<EOF
# generated by bench/run.sh
server:
  host: 127.0.0.1
  port: $p
  admin: { host: 127.0.0.1, port: $ap }
  eventLoops: $PROXY_WORKERS
  transport: $TRANSPORT
  variantHeaders: true
  unitId: { header: X-User-Id }
endpoints:
  - { id: fraud-v1, url: "http://127.0.0.1:$BACKEND_PORT", timeout: 5s, maxConnections: 64 }
  - { id: fraud-v2, url: "http://127.0.0.1:$BACKEND_PORT", timeout: 5s, maxConnections: 64 }
EOF
    if [[ $shadow == 1 ]]; then
      echo "  - { id: fraud-slow, url: \"http://127.0.0.1:$SLOW_PORT\", timeout: 5s, maxConnections: $SHADOW_INFLIGHT, maxShadowInFlight: $SHADOW_INFLIGHT }"
    fi
    cat <<EOF
EOF
    if [[ $kind == bandit ]]; then
      cat <<EOF
  - { id: fraud-v3, url: "http://127.0.0.1:$BACKEND_PORT", timeout: 5s, maxConnections: 64 }
routes:
  - { id: fraud, pathPrefix: /v2/models/fraud/, experiment: fraud-bandit }
experiments:
  - id: fraud-bandit
    salt: bench-1
    policy: thompson
    sticky: false
    variants:
      - { id: v1, endpoint: fraud-v1, weight: 3334 }
      - { id: v2, endpoint: fraud-v2, weight: 3333 }
      - { id: v3, endpoint: fraud-v3, weight: 3333 }
    metrics: [ { name: click, kind: binary, primary: true } ]
    bandit: { minExplorationPercent: 2, warmup: 1000, refreshInterval: 1s }
EOF
    else
      cat <<EOF
routes:
  - { id: fraud, pathPrefix: /v2/models/fraud/, experiment: fraud-canary }
experiments:
  - id: fraud-canary
    salt: bench-1
    sticky: true
    champion: { endpoint: fraud-v1 }
    canary: { endpoint: fraud-v2, percent: 10 }
EOF
      # the feedback instance: the in-memory target's experiment, plus a metric for feedback to join to
      if [[ $kind == feedback ]]; then echo "    metrics: [ { name: click, kind: binary } ]"; fi
    fi
    if [[ $shadow == 1 ]]; then
      echo "    shadows:"
      echo "      - { id: slow, endpoint: fraud-slow, percent: 100 }"
    fi
    echo "state:"
    echo "  maxEntries: 1000000"
    if [[ $store == redis ]]; then
      echo "  store: redis"
      echo "  redis: { uri: \"redis://127.0.0.1:$REDIS_PORT\"${REDIS_CACHE_SIZE:+, cacheSize: $REDIS_CACHE_SIZE}${REDIS_STALENESS:+, cacheStaleness: $REDIS_STALENESS} }"
    else
      echo "  store: memory"
    fi
  } >"$f"
  validate_config "$f"
}
vane_config "$RUN/vane-memory.yaml" "$MEM_PORT" memory "$MEM_ADMIN"
vane_config "$RUN/vane-bandit.yaml" "$BANDIT_PORT" bandit "$BANDIT_ADMIN"
vane_config "$RUN/vane-redis.yaml" "$REDISV_PORT" redis "$REDISV_ADMIN"
vane_config "$RUN/vane-shadow.yaml" "$SHADOW_PORT" shadow "$SHADOW_ADMIN"
vane_config "$RUN/vane-feedback.yaml" "$FEEDBACK_PORT" feedback "$FEEDBACK_ADMIN"

VANES=(vane-memory vane-bandit vane-redis vane-shadow vane-feedback)
declare -A EXPERIMENT=([vane-memory]=fraud-canary [vane-bandit]=fraud-bandit [vane-redis]=fraud-canary
  [vane-shadow]=fraud-canary [vane-feedback]=fraud-canary)
for v in "${VANES[@]}"; do start_vane "$v"; done

# the framework floors: a bare Vert.x proxy (same server/client settings, none of Vane's work) and a bare Netty proxy
# (the transport under Vert.x), compiled against vane.jar, which carries both
compile_baselines
# shellcheck disable=SC2086
bg vertx-bare "$VANE_JAVA" $VANE_JAVA_OPTS -cp "$RUN/vane.jar:$RUN/baseline" BareVertxProxy "$BARE_PORT" "$BACKEND_PORT" \
  "$PROXY_WORKERS" "$TRANSPORT"
# shellcheck disable=SC2086
bg netty-bare "$VANE_JAVA" $VANE_JAVA_OPTS -cp "$RUN/vane.jar:$RUN/baseline" BareNettyProxy "$NETTY_PORT" "$BACKEND_PORT" \
  "$([[ $TRANSPORT == io_uring ]] && echo io_uring || echo epoll)"

declare -A URL=(
  [direct]="http://127.0.0.1:$BACKEND_PORT"
  [nginx]="http://127.0.0.1:$PROXY_PORT"
  [vertx-bare]="http://127.0.0.1:$BARE_PORT"
  [netty-bare]="http://127.0.0.1:$NETTY_PORT"
  [vane-memory]="http://127.0.0.1:$MEM_PORT"
  [vane-bandit]="http://127.0.0.1:$BANDIT_PORT"
  [vane-redis]="http://127.0.0.1:$REDISV_PORT"
  [vane-shadow]="http://127.0.0.1:$SHADOW_PORT"
  [vane-feedback]="http://127.0.0.1:$FEEDBACK_PORT"
)
declare -A ADMIN_URL=(
  [vane-memory]="http://127.0.0.1:$MEM_ADMIN"
  [vane-bandit]="http://127.0.0.1:$BANDIT_ADMIN"
  [vane-redis]="http://127.0.0.1:$REDISV_ADMIN"
  [vane-shadow]="http://127.0.0.1:$SHADOW_ADMIN"
  [vane-feedback]="http://127.0.0.1:$FEEDBACK_ADMIN"
)
ALL=(direct nginx netty-bare vertx-bare vane-memory vane-bandit vane-redis vane-shadow feedback)
if [[ -n ${ONLY:-} ]]; then read -r -a ALL <<<"$ONLY"; fi
TARGETS=()   # proxied targets (wrk with lua/infer.lua)
FEEDBACK=0   # the feedback ingestion measurement on vane-feedback
for t in "${ALL[@]}"; do
  if [[ $t == feedback ]]; then FEEDBACK=1; continue; fi
  [[ -n ${URL[$t]:-} && $t != vane-feedback ]] \
    || die "unknown target in ONLY: $t (expected: direct nginx netty-bare vertx-bare vane-memory vane-bandit vane-redis vane-shadow feedback)"
  TARGETS+=("$t")
done
INFER=/v2/models/fraud/infer

$VB wait-http "http://127.0.0.1:$SLOW_PORT/" 10 || die "slow backend did not start"
for t in direct nginx netty-bare vertx-bare; do $VB wait-http "${URL[$t]}/" 30 || die "$t did not start"; done
for v in "${VANES[@]}"; do
  $VB wait-http "${URL[$v]}/readyz" 90 || { tail -30 "$RUN/logs/$v.log" >&2; die "$v not ready"; }
done
log "all targets up: backend :$BACKEND_PORT slow :$SLOW_PORT nginx :$PROXY_PORT redis :$REDIS_PORT" \
  "vane-memory :$MEM_PORT vane-bandit :$BANDIT_PORT vane-redis :$REDISV_PORT vane-shadow :$SHADOW_PORT" \
  "vane-feedback :$FEEDBACK_PORT"

# ---------------------------------------------------------------- facts about this run
export TS DURATION WARMUP ROUNDS FIXED_ROUNDS RATE CONNS USERS PROXY_WORKERS TRANSPORT SHADOW_SLEEP SHADOW_INFLIGHT REDIS_CACHE_SIZE \
  REDIS_STALENESS VANE_JAVA_OPTS FB_EVENTS FEED FEED_RATE
machine_facts
export F_COMMAND="$CMDLINE"
$PY - "$RUN/meta.json" <<'EOF'
import json, os, sys
e = os.environ
meta = {k.lower(): e[k] for k in ("TS", "SHADOW_SLEEP", "REDIS_STALENESS", "VANE_JAVA_OPTS", "TRANSPORT")}
meta["redis_staleness"] = meta["redis_staleness"] or "vane default"
for k in ("DURATION", "WARMUP", "ROUNDS", "FIXED_ROUNDS", "RATE", "CONNS", "USERS", "PROXY_WORKERS", "SHADOW_INFLIGHT", "FB_EVENTS",
          "FEED", "FEED_RATE"):
    meta[k.lower()] = int(e[k])
meta["redis_cache_size"] = int(e["REDIS_CACHE_SIZE"]) if e.get("REDIS_CACHE_SIZE") else "vane default"
meta["wrk_threads"] = 1
meta["body_bytes"] = 200
meta["machine"] = {k[2:].lower(): e[k] for k in e if k.startswith("F_")}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
EOF

# ---------------------------------------------------------------- load (run_wrk, redis_snap, summary_line, get_json: lib.sh)
FEEDER_PID=""
feeder_start() { # feeder_start SECONDS OUTFILE: vb.py feeder on vane-bandit in the background (FEED=1)
  [[ $FEED == 1 ]] || return 0
  $VB feeder "${URL[vane-bandit]}$INFER" "$1" "$FEED_RATE" "$2" "${ADMIN_URL[vane-bandit]}" 2>>"$RUN/logs/feeder.log" &
  FEEDER_PID=$!
  PIDS+=("$FEEDER_PID")
}
feeder_wait() {
  [[ -n $FEEDER_PID ]] || return 0
  local rc=0
  wait "$FEEDER_PID" || rc=$?
  ((rc == 0)) || log "  feeder exited with $rc (logs/feeder.log)"
  FEEDER_PID=""
}

log "sanity checks (1000 users x 2 requests each)"
for t in "${TARGETS[@]}"; do $VB check "${URL[$t]}$INFER" 1000 "$RUN/check-$t.json"; done
if ((FEEDBACK)); then $VB check "${URL[vane-feedback]}$INFER" 1000 "$RUN/check-vane-feedback.json"; fi

log "warm-up: 3 s on direct and nginx, ${WARMUP} s on each Vane"
for t in "${TARGETS[@]}"; do
  if [[ $t == direct || $t == nginx ]]; then run_wrk "$RUN/warmup-$t.txt" 3 0 "${URL[$t]}"; continue; fi
  if [[ $t == vane-bandit ]]; then feeder_start "$WARMUP" "$RUN/feeder-warmup.json"; fi
  run_wrk "$RUN/warmup-$t.txt" "$WARMUP" 0 "${URL[$t]}"
  if [[ $t == vane-bandit ]]; then feeder_wait; fi
  log "  $t warm-up: $(summary_line "$RUN/warmup-$t.txt")"
done
if ((FEEDBACK)); then
  # expose every user (user-1 .. user-USERS, in order) on the feedback instance, then warm the feedback path
  n=0 i=0
  while :; do
    VB_SEQ=1 VB_SEQ_START=$n run_wrk "$RUN/warmup-vane-feedback-$i.txt" "$WARMUP" 0 "${URL[vane-feedback]}"
    n=$((n + $(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$RUN/warmup-vane-feedback-$i.txt")))
    log "  vane-feedback warm-up (users in order): $(summary_line "$RUN/warmup-vane-feedback-$i.txt")"
    ((n >= USERS || i >= 5)) && break
    i=$((i + 1))
  done
  ((n >= USERS)) || log "  WARNING: only $n requests reached vane-feedback (USERS=$USERS): expect unknown_unit rejections"
  VB_EVENTS=$FB_EVENTS VB_TAG=warm-b run_wrk "$RUN/warmup-feedback-batch.txt" 3 0 "${ADMIN_URL[vane-feedback]}" feedback /v1/feedback
  VB_EVENTS=1 VB_TAG=warm-s run_wrk "$RUN/warmup-feedback-single.txt" 3 0 "${ADMIN_URL[vane-feedback]}" feedback /v1/feedback
  log "  feedback warm-up: batch $(summary_line "$RUN/warmup-feedback-batch.txt");" \
    "single $(summary_line "$RUN/warmup-feedback-single.txt")"
fi
sleep 1

measure() { # measure MODE(sat|fixed) ROUND TARGET
  local mode=$1 r=$2 t=$3 rate=0
  [[ $mode == fixed ]] && rate=$RATE
  local f="$RUN/wrk-$mode-$t-r$r.txt"
  [[ $t == vane-redis ]] && redis_snap "$RUN/redis-$mode-r$r-before.txt"
  if [[ $t == vane-bandit ]]; then feeder_start "$DURATION" "$RUN/feeder-$mode-r$r.json"; fi
  run_wrk "$f" "$DURATION" "$rate" "${URL[$t]}"
  if [[ $t == vane-bandit ]]; then feeder_wait; fi
  if [[ $t == vane-redis ]]; then sleep 1.2; redis_snap "$RUN/redis-$mode-r$r-after.txt"; fi
  log "  $mode r$r $t: $(summary_line "$f")"
  sleep 1
}
measure_feedback() { # measure_feedback ROUND KIND(batch|single): saturation POST /v1/feedback on vane-feedback
  local r=$1 kind=$2 events=1
  [[ $kind == batch ]] && events=$FB_EVENTS
  local f="$RUN/wrk-sat-feedback-$kind-r$r.txt" res="${ADMIN_URL[vane-feedback]}/v1/experiments/fraud-canary/results"
  get_json "$res" "$RUN/fbresults-$kind-r$r-before.json"
  VB_EVENTS=$events VB_TAG="$kind-r$r" run_wrk "$f" "$DURATION" 0 "${ADMIN_URL[vane-feedback]}" feedback /v1/feedback
  get_json "$res" "$RUN/fbresults-$kind-r$r-after.json"
  log "  sat r$r feedback-$kind ($events events/request): $(summary_line "$f")" \
    "$(sed -n 's/^VBRESULT .*"feedback":\({[^}]*}\).*/\1/p' "$f")"
  sleep 1
}
ALL_ROUNDS=$ROUNDS
((RATE > 0 && FIXED_ROUNDS > ROUNDS)) && ALL_ROUNDS=$FIXED_ROUNDS
for r in $(seq "$ALL_ROUNDS"); do
  if ((r % 2)); then order=("${TARGETS[@]}"); else order=(); for ((i = ${#TARGETS[@]} - 1; i >= 0; i--)); do order+=("${TARGETS[$i]}"); done; fi
  if ((${#order[@]})); then
    if ((r <= ROUNDS)); then
      log "round $r/$ROUNDS saturation (${DURATION} s each): ${order[*]}"
      for t in "${order[@]}"; do measure sat "$r" "$t"; done
    fi
    if ((RATE > 0 && r <= FIXED_ROUNDS)); then
      log "round $r/$FIXED_ROUNDS fixed ${RATE} req/s (${DURATION} s each): ${order[*]}"
      for t in "${order[@]}"; do measure fixed "$r" "$t"; done
    fi
  fi
  ((r <= ROUNDS)) || continue
  if ((FEEDBACK)); then
    if ((r % 2)); then fbo=(batch single); else fbo=(single batch); fi
    log "round $r/$ROUNDS feedback ingestion on vane-feedback (${DURATION} s each): ${fbo[*]}"
    for k in "${fbo[@]}"; do measure_feedback "$r" "$k"; done
  fi
done

for v in "${VANES[@]}"; do # Vane's own per-variant figures (shadow drops, comparisons) and results (bandit, feedback)
  get_json "${ADMIN_URL[$v]}/v1/experiments/${EXPERIMENT[$v]}" "$RUN/experiments-$v.json"
  if [[ $v == vane-bandit || $v == vane-feedback ]]; then
    get_json "${ADMIN_URL[$v]}/v1/experiments/${EXPERIMENT[$v]}/results" "$RUN/results-$v.json"
  fi
done
RESULTS="$OUT/results-$TS.json"
$VB summarise "$RUN" "$RESULTS" | tee "$RUN/table.txt"

if [[ $JFR == 1 ]]; then
  var="PID_${JFR_TARGET//-/_}"
  jpid=${!var}
  JFR_FILE="$OUT/vane-$JFR_TARGET-$TS.jfr"
  log "JFR: ${JFR_SECONDS} s (settings=profile) on $JFR_TARGET (pid $jpid) under saturation -> $JFR_FILE"
  jcmd "$jpid" JFR.start name=bench settings=profile duration="${JFR_SECONDS}s" filename="$JFR_FILE" >"$RUN/logs/jfr-start.log" 2>&1 \
    || die "jcmd JFR.start failed: $(cat "$RUN/logs/jfr-start.log")"
  run_wrk "$RUN/wrk-jfr-$JFR_TARGET.txt" "$JFR_SECONDS" 0 "${URL[$JFR_TARGET]}"
  log "  under JFR: $(summary_line "$RUN/wrk-jfr-$JFR_TARGET.txt")"
  for _ in $(seq 50); do [[ -s $JFR_FILE ]] && break; sleep 0.2; done
  sleep 1
  $VB jfr-top "$JFR_FILE" 25 | tee "$OUT/jfr-top-$TS.txt"
fi

for v in "${VANES[@]}"; do
  if grep -qiE 'exception|error' "$RUN/logs/$v.log"; then
    log "note: $v log mentions errors/exceptions: $(grep -ciE 'exception|error' "$RUN/logs/$v.log") lines (see $RUN/logs/$v.log)"
  fi
done
log "done: $RESULTS (raw files in $RUN)"
