#!/usr/bin/env bash
# The cost of response metrics: one Vane (one event loop) in front of an nginx backend answering a KServe v2 body,
# under wrk saturation, alternating rounds (ABBA) on two routes of the same process: /plain/ goes to an experiment
# without response metrics, /measured/ to one that declares one (a JSON pointer into the body). Prints req/s per
# round and the ratio of medians (measured / plain).
#
# Environment: ROUNDS [4] rounds per arm, DURATION [10] s per round, WARMUP [15] s, CONNS [32], VANE_JAR
# [gateway/target/vane.jar].
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
ROUNDS=${ROUNDS:-4}; DURATION=${DURATION:-10}; WARMUP=${WARMUP:-15}; CONNS=${CONNS:-32}
JAR=${VANE_JAR:-$ROOT/gateway/target/vane.jar}
command -v wrk >/dev/null || { echo "wrk missing (apt-get install -y wrk)" >&2; exit 2; }
RUN=$(mktemp -d /tmp/vane-response-ab.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BACKEND=$(port); PORT=$(port); ADMIN=$(port)
BODY='{"model_name":"m","outputs":[{"name":"p","datatype":"FP32","shape":[1,3],"data":[0.25,0.7,0.05]}]}'
cat >"$RUN/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $RUN/nginx.pid; error_log $RUN/nginx-error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $RUN; proxy_temp_path $RUN; fastcgi_temp_path $RUN;
  uwsgi_temp_path $RUN; scgi_temp_path $RUN; keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND; location / { default_type application/json; return 200 '$BODY'; } } }
NGX
nginx -c "$RUN/nginx.conf" & PIDS+=($!)
cat >"$RUN/vane.yaml" <<YAML
server: { host: 127.0.0.1, port: $PORT, eventLoops: 1, admin: { port: $ADMIN } }
endpoints: [ { id: a, url: "http://127.0.0.1:$BACKEND" } ]
routes: [ { pathPrefix: /plain/, experiment: plain }, { pathPrefix: /measured/, experiment: measured } ]
experiments:
  - { id: plain, champion: { endpoint: a } }
  - { id: measured, champion: { endpoint: a }, responseMetrics: [ { name: score, pointer: /outputs/0/data, aggregate: max } ] }
YAML
java -jar "$JAR" serve --config "$RUN/vane.yaml" >"$RUN/vane.log" 2>&1 & PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/plain/x" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/plain/x" >/dev/null || { echo "vane did not start: $RUN/vane.log" >&2; exit 1; }
wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/plain/x" >/dev/null
wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/measured/x" >/dev/null
rps() { wrk -t1 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$PORT/$1/x" | awk '/Requests\/sec/ {print $2}'; }
A=(); B=()
for r in $(seq "$ROUNDS"); do
  # ABBA: each arm goes first in every other round, so drift (JIT, GC, the machine) does not favour one
  if ((r % 2)); then A+=("$(rps plain)"); B+=("$(rps measured)"); else B+=("$(rps measured)"); A+=("$(rps plain)"); fi
  echo "round $r: plain ${A[-1]} req/s, one response metric ${B[-1]} req/s"
done
python3 - "${A[*]}" "${B[*]}" <<'PY'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]; b = [float(x) for x in sys.argv[2].split()]
print(f"median plain {statistics.median(a):.0f} req/s, measured {statistics.median(b):.0f} req/s, "
      f"ratio {statistics.median(b) / statistics.median(a):.3f}; per-round ratios "
      + " ".join(f"{y / x:.3f}" for x, y in zip(a, b)))
PY
curl -s "http://127.0.0.1:$ADMIN/v1/experiments/measured/results" | python3 -c \
  'import json,sys; m=json.load(sys.stdin)["responseMetrics"]["metrics"][0]["arms"][0]; print("measured responses:", m["n"], "mean", m["mean"], "skipped", m["skipped"])'
