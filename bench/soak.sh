#!/usr/bin/env bash
# Vane soak run: Vane with the Redis sticky store (the bench's vane-redis config) at a fixed moderate rate for SOAK
# seconds with GC logging, to check that heap after GC stays flat and to measure allocation per request.
#
# Environment (defaults in brackets):
#   SOAK [600]     seconds of fixed-rate load after the warm-up
#   RATE [2000]    requests/s (paced by lua/infer.lua, 1 wrk thread, CONNS connections)
#   WARMUP [20]    seconds of saturation load first (JIT; warms the sticky caches)
#   CONNS [32], USERS [100000], VANE_JAR [gateway/target/vane.jar], VANE_JAVA_OPTS []
#
# Output: a summary on stdout and bench/out/soak-<timestamp>.json (per-minute heap after GC, pauses, allocation per
# request, wrk latencies); raw files in bench/out/soak-<timestamp>/. Installs what is missing and starts everything
# through bench/lib.sh (as run.sh, scale.sh and tails.sh do), VANE_JAVA included.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
. "$HERE/lib.sh"
SOAK=${SOAK:-600}; RATE=${RATE:-2000}; WARMUP=${WARMUP:-20}; CONNS=${CONNS:-32}; USERS=${USERS:-100000}
bench_deps
bench_rundir soak
BACKEND_PORT=$(port); REDIS_PORT=$(port); VANE_PORT=$(port); ADMIN_PORT=$(port)
start_nginx backend backend PORT="$BACKEND_PORT" BODY="$RESP_BODY"
start_redis "$REDIS_PORT"
cat >"$RUN/vane.yaml" <<YAML
server: { host: 127.0.0.1, port: $VANE_PORT, admin: { port: $ADMIN_PORT }, eventLoops: 1, variantHeaders: true, unitId: { header: X-User-Id } }
endpoints:
  - { id: fraud-v1, url: "http://127.0.0.1:$BACKEND_PORT", timeout: 5s, maxConnections: 64 }
  - { id: fraud-v2, url: "http://127.0.0.1:$BACKEND_PORT", timeout: 5s, maxConnections: 64 }
routes:
  - { id: fraud, pathPrefix: /v2/models/fraud/, experiment: fraud-canary }
experiments:
  - id: fraud-canary
    salt: soak-1
    champion: { endpoint: fraud-v1 }
    canary: { endpoint: fraud-v2, percent: 10 }
state:
  store: redis
  redis: { uri: "redis://127.0.0.1:$REDIS_PORT" }
YAML
validate_config "$RUN/vane.yaml"
start_vane vane # its GC log: logs/vane-gc.log
VPID=$PID_vane
$VB wait-http "http://127.0.0.1:$VANE_PORT/readyz" 60 || { tail "$RUN/logs/vane.log" >&2; exit 1; }
URL="http://127.0.0.1:$VANE_PORT"
log "warm-up ${WARMUP}s at saturation"
run_wrk "$RUN/warmup.txt" "$WARMUP" 0 "$URL"
# live set at the start: heap after a full GC (G1 runs a full collection for System.gc)
jcmd "$VPID" GC.run >/dev/null 2>&1 || true
sleep 1
redis-cli -p "$REDIS_PORT" INFO stats >"$RUN/redis-before.txt"
redis-cli -p "$REDIS_PORT" INFO commandstats >"$RUN/redis-commandstats-before.txt"
START=$(ps -o etimes= -p "$VPID" | tr -d ' ')
log "soak: ${SOAK}s at ${RATE} req/s (JVM uptime at start ${START}s)"
run_wrk "$RUN/soak.txt" "$SOAK" "$RATE" "$URL"
END=$(ps -o etimes= -p "$VPID" | tr -d ' ')
redis-cli -p "$REDIS_PORT" INFO stats >"$RUN/redis-after.txt"
redis-cli -p "$REDIS_PORT" INFO commandstats >"$RUN/redis-commandstats-after.txt"
jcmd "$VPID" GC.run >/dev/null 2>&1 || true
sleep 1
curl -s "http://127.0.0.1:$ADMIN_PORT/v1/experiments/fraud-canary" >"$RUN/experiment.json"
jcmd "$VPID" GC.heap_info >"$RUN/heap-info.txt" 2>&1 || true
$PY - "$RUN" "$START" "$END" "$RATE" "$SOAK" "$HERE" <<'PYEOF'
import json, re, statistics, sys, os
run, start, end, rate, soak, here = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
sys.path.insert(0, here)
import vb
pat = re.compile(r"\[([\d.]+)s\].*GC\((\d+)\) (Pause \S+.*?) (\d+)M->(\d+)M\((\d+)M\) ([\d.]+)ms")
full = re.compile(r"\[([\d.]+)s\].*Pause Full \([^)]*\) (\d+)M->(\d+)M")
fulls = [(float(m.group(1)), int(m.group(3))) for m in (full.search(l) for l in open(os.path.join(run, "logs", "vane-gc.log"))) if m]
live_start = max([a for t, a in fulls if t <= start + 2], default=None) if fulls else None
live_end = [a for t, a in fulls if t >= end - 1]
live_end = live_end[0] if live_end else None
def commands(name):
    for line in open(os.path.join(run, name)):
        if line.startswith("total_commands_processed:"):
            return int(line.split(":")[1])
    return None
def calls(name):
    out = {}
    for line in open(os.path.join(run, name)):
        m = re.match(r"cmdstat_([^:]+):calls=(\d+)", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out
cb, ca = calls("redis-commandstats-before.txt"), calls("redis-commandstats-after.txt")
# the harness's own INFO calls (two INFO stats, the commandstats one) are taken out
by_command = {k: ca[k] - cb.get(k, 0) for k in sorted(ca) if ca[k] - cb.get(k, 0) > 0}
if "info" in by_command:
    by_command["info"] -= 2
    by_command = {k: v for k, v in by_command.items() if v > 0}
events = []
for line in open(os.path.join(run, "logs", "vane-gc.log")):
    m = pat.search(line)
    if m and "Full" not in m.group(3):
        events.append((float(m.group(1)), int(m.group(4)), int(m.group(5)), float(m.group(7)), m.group(3)))
inside = [e for e in events if start + 1 <= e[0] <= end]
alloc = sum(b - a for (_, b, _, _, _), (_, _, a, _, _) in zip(inside[1:], inside[:-1]))
wrk = vb.parse_wrk(os.path.join(run, "soak.txt"))
reqs = wrk["requests"] if wrk else None
minutes = {}
for t, before, after, ms, kind in inside:
    minutes.setdefault(int((t - start) // 60), []).append(after)
per_min = [{"minute": k, "gcs": len(v), "heap_after_gc_mb_min": min(v), "heap_after_gc_mb_max": max(v)} for k, v in sorted(minutes.items())]
first, last = per_min[0] if per_min else None, per_min[-1] if per_min else None
out = {"soak_s": soak, "rate": rate, "requests": reqs, "wrk": wrk, "gcs_in_soak": len(inside),
       "pause_ms_mean": round(statistics.mean([e[3] for e in inside]), 2) if inside else None,
       "pause_ms_max": max([e[3] for e in inside]) if inside else None,
       "allocated_mb_in_soak": alloc,
       "kb_allocated_per_request": round(alloc * 1024 / reqs, 2) if reqs and alloc else None,
       "heap_after_gc_per_minute": per_min,
       "heap_after_gc_first_minute_max_mb": first["heap_after_gc_mb_max"] if first else None,
       "heap_after_gc_last_minute_max_mb": last["heap_after_gc_mb_max"] if last else None,
       "live_set_mb_after_full_gc": {"start": live_start, "end": live_end}}
rc0, rc1 = commands("redis-before.txt"), commands("redis-after.txt")
if rc0 is not None and rc1 is not None and reqs:
    out["redis_commands_per_request"] = round((rc1 - rc0 - 1) / reqs, 5)
    out["redis_commands_by_name"] = by_command
ts = os.path.basename(run).replace("soak-", "")
path = os.path.join(os.path.dirname(run), "soak-%s.json" % ts)
json.dump(out, open(path, "w"), indent=1)
print("soak %ds at %d req/s: %s requests, achieved %.0f req/s, p50 %s ms, p99 %s ms, socket errors %s, non-2xx %s" % (
    soak, rate, reqs, wrk["rps"], wrk["latency_ms"]["p50"], wrk["latency_ms"]["p99"],
    sum(wrk["errors"][k] for k in ("connect", "read", "write", "timeout")), wrk["errors"]["status"]))
print("live set (heap after a full GC): %s MB at the start, %s MB at the end; Redis commands per request %s" % (
    live_start, live_end, out.get("redis_commands_per_request")))
print("Redis commands in the soak window by name: %s" % by_command)
print("GC in the soak window: %d young pauses, mean %s ms, max %s ms; %d MB allocated = %s KB per request" % (
    len(inside), out["pause_ms_mean"], out["pause_ms_max"], alloc, out["kb_allocated_per_request"]))
for m in per_min:
    print("  minute %2d: %3d GCs, heap after GC %d..%d MB" % (m["minute"], m["gcs"], m["heap_after_gc_mb_min"], m["heap_after_gc_mb_max"]))
print("written to", path)
PYEOF
