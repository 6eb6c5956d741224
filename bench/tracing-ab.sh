#!/usr/bin/env bash
# The cost of tracing: two Vanes (one event loop each, a 80/20 canary over one nginx backend), identical but for
# observability.tracing: off in A, 10% sampling (SAMPLING) to a loopback OTLP/HTTP sink in B. Alternating wrk
# saturation rounds (A, B, B, A, ...: each round runs alone); prints req/s per round and the ratio of medians (B / A).
#
# Environment: ROUNDS [4] rounds per arm, DURATION [10] s per round, WARMUP [15] s, CONNS [32], SAMPLING [0.1],
# VANE_JAR [gateway/target/vane.jar].
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
ROUNDS=${ROUNDS:-4}; DURATION=${DURATION:-10}; WARMUP=${WARMUP:-15}; CONNS=${CONNS:-32}; SAMPLING=${SAMPLING:-0.1}
JAR=${VANE_JAR:-$ROOT/gateway/target/vane.jar}
command -v wrk >/dev/null || { echo "wrk missing (apt-get install -y wrk)" >&2; exit 2; }
command -v nginx >/dev/null || { echo "nginx missing (apt-get install -y nginx)" >&2; exit 2; }
RUN=$(mktemp -d /tmp/vane-tracing-ab.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BACKEND=$(port); SINK=$(port); PA=$(port); AA=$(port); PB=$(port); AB=$(port)
cat >"$RUN/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $RUN/nginx.pid; error_log $RUN/nginx-error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $RUN; proxy_temp_path $RUN; fastcgi_temp_path $RUN;
  uwsgi_temp_path $RUN; scgi_temp_path $RUN; keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND; location / { default_type application/json; return 200 '{"outputs":[1]}'; } }
  server { listen 127.0.0.1:$SINK; location / { return 200; } } }
NGX
nginx -c "$RUN/nginx.conf" & PIDS+=($!)
config() { # config PORT ADMIN TRACING
  cat <<YAML
server: { host: 127.0.0.1, port: $1, eventLoops: 1, admin: { port: $2 } }
endpoints: [ { id: a, url: "http://127.0.0.1:$BACKEND" }, { id: b, url: "http://127.0.0.1:$BACKEND" } ]
routes: [ { pathPrefix: /, experiment: e } ]
experiments:
  - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 20 } }
$3
YAML
}
config "$PA" "$AA" "" >"$RUN/a.yaml"
config "$PB" "$AB" "observability: { tracing: { endpoint: \"http://127.0.0.1:$SINK/v1/traces\", samplingRatio: $SAMPLING } }" \
  >"$RUN/b.yaml"
java -jar "$JAR" serve --config "$RUN/a.yaml" >"$RUN/a.log" 2>&1 & PIDS+=($!)
java -jar "$JAR" serve --config "$RUN/b.yaml" >"$RUN/b.log" 2>&1 & PIDS+=($!)
for p in "$PA" "$PB"; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.2; done
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$p/p" >/dev/null
done
rps() { wrk -t1 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$1/p" | awk '/Requests\/sec/ {print $2}'; }
A=(); B=()
for r in $(seq "$ROUNDS"); do
  if ((r % 2)); then A+=("$(rps "$PA")"); B+=("$(rps "$PB")"); else B+=("$(rps "$PB")"); A+=("$(rps "$PA")"); fi
  echo "round $r: tracing off ${A[-1]} req/s, tracing at $SAMPLING ${B[-1]} req/s"
done
python3 - "${A[*]}" "${B[*]}" <<'PY'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]; b = [float(x) for x in sys.argv[2].split()]
print(f"median off {statistics.median(a):.0f} req/s, traced {statistics.median(b):.0f} req/s, "
      f"ratio {statistics.median(b) / statistics.median(a):.3f}; per-round ratios "
      + " ".join(f"{y / x:.3f}" for x, y in zip(a, b)))
PY
