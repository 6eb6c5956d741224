#!/usr/bin/env bash
# CPU per served request and per mirrored copy, from /proc (issue 24). Starts the bench's fast backend and its slow
# shadow backend (nginx, echo_sleep), then for each jar in JARS two Vanes: "memory" (the bench's in-memory canary
# experiment) and "shadow" (the same plus one shadow mirroring PERCENT % to the slow backend, comparing
# COMPARE_PERCENT % of the copies; with several values in COMPARE_PERCENT, one shadow Vane per value). Rounds
# alternate the order of the Vanes; each run is wrk (1 thread, CONNS connections, lua/infer.lua) for DURATION s at
# RATE req/s (0 = saturation), and the CPU of every thread of the Vane under load is read from
# /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU) before and after. Printed per run: req/s, copies mirrored
# and compared in the run (from the admin API), and microseconds of CPU per request for the request loop
# (vert.x-eventloop threads), the shadow loop (vane-shadow-loop), GC, JIT and the rest; the shadow loop's µs per
# mirrored copy. Results as JSON lines in bench/out/shadow-cpu-<ts>/runs.jsonl.
#
#   JARS="before=/tmp/before.jar after=gateway/target/vane.jar" RATE=2000 DURATION=10 ROUNDS=2 bench/shadow-cpu.sh
#   COMPARE_PERCENT="100 10" bench/shadow-cpu.sh
#   JARS="before=/tmp/before.jar@- after=gateway/target/vane.jar@100,10"   (per jar: its comparePercent values;
#                      "-" = none, for a build without the field)
#   RATE=0: saturation (then copies over maxShadowInFlight are dropped: per copy is over the mirrored ones)
#   JFR=1: after the rounds, JFR_SECONDS [20] of JFR (settings=profile) on each shadow Vane at RATE, summarised
#          with vb.py jfr-top
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JARS=${JARS:-"current=$ROOT/gateway/target/vane.jar"}
RATE=${RATE:-2000}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-15}
ROUNDS=${ROUNDS:-2}
CONNS=${CONNS:-32}
USERS=${USERS:-100000}
PERCENT=${PERCENT:-100}
COMPARE_PERCENT=${COMPARE_PERCENT:-}
SHADOW_SLEEP=${SHADOW_SLEEP:-0.2}
SHADOW_INFLIGHT=${SHADOW_INFLIGHT:-2000}
MEMORY=${MEMORY:-1}
JFR=${JFR:-0}
JFR_SECONDS=${JFR_SECONDS:-20}
VB="python3 $HERE/vb.py"
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[[ -f $ECHO_MODULE ]] || die "needs libnginx-mod-http-echo (apt-get install libnginx-mod-http-echo)"

TS=$(date -u +%Y%m%dT%H%M%SZ)
RUN="$HERE/out/shadow-cpu-$TS"
mkdir -p "$RUN/logs" "$RUN/tmp"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
PIDS=()
cleanup() {
  trap - EXIT
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
bg() { local name=$1; shift; "$@" >"$RUN/logs/$name.log" 2>&1 & PIDS+=($!); eval "PID_${name//[-.=]/_}=$!"; }

BACKEND_PORT=$($VB freeport); SLOW_PORT=$($VB freeport)
RESP_BODY='{"model_name":"fraud","model_version":"1","id":"bench-resp00","outputs":[{"name":"score","shape":[1,2],"datatype":"FP32","data":[0.921337,0.078663]}]}'
$VB render "$HERE/nginx/backend.conf.tmpl" "$RUN/backend.conf" WORK="$RUN" PORT="$BACKEND_PORT" BODY="$RESP_BODY"
$VB render "$HERE/nginx/slow.conf.tmpl" "$RUN/slow.conf" WORK="$RUN" PORT="$SLOW_PORT" BODY="$RESP_BODY" \
  SLEEP="$SHADOW_SLEEP" ECHO_MODULE="$ECHO_MODULE"
for n in backend slow; do bg "nginx-$n" "$NGINX" -p "$RUN" -e "$RUN/logs/$n-error.log" -c "$RUN/$n.conf"; done

vane_config() { # vane_config FILE PORT ADMIN_PORT COMPARE(-: no shadow; "": no comparePercent field)
  local f=$1 p=$2 ap=$3 cmp=$4
  cat >"$f" <<EOF
server:
  host: 127.0.0.1
  port: $p
  admin: { host: 127.0.0.1, port: $ap }
  eventLoops: 1
  variantHeaders: true
  unitId: { header: X-User-Id }
endpoints:
  - { id: fraud-v1, url: "http://127.0.0.1:$BACKEND_PORT", timeout: 5s, maxConnections: 64 }
  - { id: fraud-v2, url: "http://127.0.0.1:$BACKEND_PORT", timeout: 5s, maxConnections: 64 }
  - { id: fraud-slow, url: "http://127.0.0.1:$SLOW_PORT", timeout: 5s, maxConnections: $SHADOW_INFLIGHT, maxShadowInFlight: $SHADOW_INFLIGHT }
routes:
  - { id: fraud, pathPrefix: /v2/models/fraud/, experiment: fraud-canary }
experiments:
  - id: fraud-canary
    salt: bench-1
    sticky: true
    champion: { endpoint: fraud-v1 }
    canary: { endpoint: fraud-v2, percent: 10 }
EOF
  if [[ $cmp != - ]]; then
    echo "    shadows:" >>"$f"
    echo "      - { id: slow, endpoint: fraud-slow, percent: $PERCENT${cmp:+, comparePercent: $cmp} }" >>"$f"
  fi
  echo "state: { store: memory, maxEntries: 1000000 }" >>"$f"
}

NAMES=()
declare -A URL ADMIN PID
for spec in $JARS; do
  label=${spec%%=*}; jar=${spec#*=}; compares=$COMPARE_PERCENT
  if [[ $jar == *@* ]]; then compares=${jar#*@}; compares=${compares//,/ }; jar=${jar%@*}; fi
  [[ $compares == - ]] && compares=""
  cp "$jar" "$RUN/$label.jar"
  kinds=()
  [[ $MEMORY == 1 ]] && kinds+=("memory:-")
  if [[ -z $compares ]]; then kinds+=("shadow:"); else for c in $compares; do kinds+=("shadow$c:$c"); done; fi
  for k in "${kinds[@]}"; do
    name="$label-${k%%:*}"; cmp=${k#*:}
    p=$($VB freeport); ap=$($VB freeport)
    vane_config "$RUN/$name.yaml" "$p" "$ap" "$cmp"
    bg "$name" java -Xlog:gc:file="$RUN/logs/$name-gc.log" -jar "$RUN/$label.jar" serve --config "$RUN/$name.yaml"
    PID[$name]=$!
    URL[$name]="http://127.0.0.1:$p"; ADMIN[$name]="http://127.0.0.1:$ap"
    NAMES+=("$name")
  done
done
$VB wait-http "http://127.0.0.1:$SLOW_PORT/" 10 || die "slow backend did not start"
for n in "${NAMES[@]}"; do $VB wait-http "${URL[$n]}/readyz" 90 || { tail -20 "$RUN/logs/$n.log" >&2; die "$n not ready"; }; done
log "up: ${NAMES[*]} (run directory $RUN)"

wrk_run() { # wrk_run OUT SECONDS RATE URL
  VB_RATE=$3 VB_USERS=$USERS wrk -t1 -c"$CONNS" -d"$2s" --latency --timeout 5s -s "$HERE/lua/infer.lua" \
    "$4/v2/models/fraud/infer" >"$1" 2>&1
}
snap() { # snap PID: "comm<TAB>ns" per thread
  local pid=$1 t
  for t in /proc/"$pid"/task/*; do
    printf '%s\t%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(cut -d' ' -f1 "$t/schedstat" 2>/dev/null)" \
      "$(sed 's/.*) //' "$t/stat" 2>/dev/null | cut -d' ' -f12,13)"
  done
}
figures() { # figures NAME: mirrored compared (0 0 without a shadow)
  python3 - "${ADMIN[$1]}/v1/experiments/fraud-canary" <<'EOF'
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1], timeout=10))
found = []
def walk(o):
    if isinstance(o, dict):
        if "mirrored" in o and "compared" in o:
            found.append((o["mirrored"], o["compared"], o.get("dropped", 0)))
        for v in o.values(): walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
walk(d)
m = sum(f[0] for f in found); c = sum(f[1] for f in found); dr = sum(f[2] for f in found)
print(m, c, dr)
EOF
}

for n in "${NAMES[@]}"; do
  log "warm-up $n: ${WARMUP}s at saturation, ${WARMUP}s at $RATE/s"
  wrk_run "$RUN/warm-$n.txt" "$WARMUP" 0 "${URL[$n]}"
  wrk_run "$RUN/warm2-$n.txt" "$WARMUP" "$RATE" "${URL[$n]}"
done
sleep 1

for r in $(seq "$ROUNDS"); do
  order=("${NAMES[@]}")
  if ((r % 2 == 0)); then order=(); for ((i=${#NAMES[@]}-1; i>=0; i--)); do order+=("${NAMES[$i]}"); done; fi
  for n in "${order[@]}"; do
    conns() { ss -Htn state established "( dport = :$SLOW_PORT )" 2>/dev/null | awk '{print $3}' | sort; }
    conns >"$RUN/conns0-$n-r$r.txt"
    read -r m0 c0 d0 < <(figures "$n")
    snap "${PID[$n]}" >"$RUN/snap0-$n-r$r.txt"
    wrk_run "$RUN/wrk-$n-r$r.txt" "$DURATION" "$RATE" "${URL[$n]}"
    snap "${PID[$n]}" >"$RUN/snap1-$n-r$r.txt"
    conns >"$RUN/conns1-$n-r$r.txt"
    sleep $(python3 -c "print($SHADOW_SLEEP + 0.6)")   # the last copies' answers (their comparison) land
    snap "${PID[$n]}" >"$RUN/snap2-$n-r$r.txt"
    read -r m1 c1 d1 < <(figures "$n")
    python3 - "$n" "$r" "$RUN" "$((m1 - m0))" "$((c1 - c0))" "$((d1 - d0))" <<'EOF' | tee -a "$RUN/runs.jsonl"
import json, re, sys
name, r, run, mirrored, compared, dropped = sys.argv[1], int(sys.argv[2]), sys.argv[3], *map(int, sys.argv[4:7])
def load(f):
    out = {}
    for i, line in enumerate(open(f)):
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 3 and parts[1]:
            ut, st = (int(x) for x in parts[2].split())
            out[(i, parts[0])] = (int(parts[1]), ut, st)
    return out
def group(comm):
    if comm.startswith("vane-shadow"): return "shadow_loop"
    if comm.startswith("vert.x-eventlo"): return "request_loop"
    if comm.startswith(("GC ", "G1 ")): return "gc"
    if comm.startswith(("C1 ", "C2 ")): return "jit"
    return "other"
def by_comm(d):
    # threads of a name summed (task order may shift as threads come and go)
    out = {}
    for (_, comm), v in d.items():
        o = out.get(comm, (0, 0, 0)); out[comm] = tuple(x + y for x, y in zip(o, v))
    return out
a, b = by_comm(load(f"{run}/snap0-{name}-r{r}.txt")), by_comm(load(f"{run}/snap2-{name}-r{r}.txt"))
groups, ticks = {}, {}
for comm, v in b.items():
    g = group(comm); o = a.get(comm, (0, 0, 0))
    groups[g] = groups.get(g, 0) + v[0] - o[0]
    t = ticks.get(g, (0, 0)); ticks[g] = (t[0] + v[1] - o[1], t[1] + v[2] - o[2])
txt = open(f"{run}/wrk-{name}-r{r}.txt").read()
m = re.search(r"(\d+) requests in ([\d.]+)s", txt)
reqs, secs = int(m.group(1)), float(m.group(2))
us = {g: round(ns / 1000 / reqs, 2) for g, ns in groups.items()}
row = {"name": name, "round": r, "requests": reqs, "rps": round(reqs / secs), "mirrored": mirrored, "compared": compared,
       "dropped": dropped, "us_per_request": us, "us_total_per_request": round(sum(groups.values()) / 1000 / reqs, 2),
       "shadow_connections_opened": len(set(open(f"{run}/conns1-{name}-r{r}.txt").read().split()) - set(open(f"{run}/conns0-{name}-r{r}.txt").read().split())),
       "shadow_connections_at_end": len(open(f"{run}/conns1-{name}-r{r}.txt").read().split()),
       "user_sys_ticks": {g: list(t) for g, t in ticks.items() if g in ("request_loop", "shadow_loop")},
       "shadow_loop_us_per_copy": round(groups.get("shadow_loop", 0) / 1000 / mirrored, 2) if mirrored else None}
print(json.dumps(row))
EOF
  done
done

if [[ $JFR == 1 ]]; then
  for n in "${NAMES[@]}"; do
    [[ $n == *shadow* ]] || continue
    f="$RUN/$n.jfr"
    jcmd "${PID[$n]}" JFR.start name=cpu settings=profile duration="${JFR_SECONDS}s" filename="$f" >"$RUN/logs/jfr-$n.log" 2>&1
    wrk_run "$RUN/wrk-jfr-$n.txt" "$JFR_SECONDS" "$RATE" "${URL[$n]}"
    for _ in $(seq 50); do [[ -s $f ]] && break; sleep 0.2; done
    sleep 1
    $VB jfr-top "$f" 30 >"$RUN/jfr-top-$n.txt" 2>&1 || true
    log "JFR $n: $f, summary $RUN/jfr-top-$n.txt"
  done
fi
log "done: $RUN/runs.jsonl"
