#!/usr/bin/env bash
# The cost of being scraped: one Vane (one event loop, a 80/20 canary over an nginx backend) under wrk saturation,
# alternating rounds without and with a scraper fetching the admin listener's /metrics every second. The same
# process serves both arms of the A/B, so scraping is the only difference. Prints req/s per round and the ratio of
# medians (scraped / not scraped).
#
# Environment: ROUNDS [4] rounds per arm, DURATION [10] s per round, WARMUP [15] s, CONNS [32], VANE_JAR
# [gateway/target/vane.jar].
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
ROUNDS=${ROUNDS:-4}; DURATION=${DURATION:-10}; WARMUP=${WARMUP:-15}; CONNS=${CONNS:-32}
JAR=${VANE_JAR:-$ROOT/gateway/target/vane.jar}
command -v wrk >/dev/null || { echo "wrk missing (apt-get install -y wrk)" >&2; exit 2; }
RUN=$(mktemp -d /tmp/vane-metrics-ab.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BACKEND=$(port); PORT=$(port); ADMIN=$(port)
cat >"$RUN/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $RUN/nginx.pid; error_log $RUN/nginx-error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $RUN; proxy_temp_path $RUN; fastcgi_temp_path $RUN;
  uwsgi_temp_path $RUN; scgi_temp_path $RUN; keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACKEND; location / { default_type application/json; return 200 '{"outputs":[1]}'; } } }
NGX
nginx -c "$RUN/nginx.conf" & PIDS+=($!)
cat >"$RUN/vane.yaml" <<YAML
server: { host: 127.0.0.1, port: $PORT, eventLoops: 1, admin: { port: $ADMIN } }
endpoints: [ { id: a, url: "http://127.0.0.1:$BACKEND" }, { id: b, url: "http://127.0.0.1:$BACKEND" } ]
routes: [ { pathPrefix: /, experiment: e } ]
experiments:
  - { id: e, champion: { endpoint: a }, canary: { endpoint: b, percent: 20 } }
observability: { metrics: { authenticate: false } }
YAML
java -jar "$JAR" serve --config "$RUN/vane.yaml" >"$RUN/vane.log" 2>&1 & PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$ADMIN/metrics" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$ADMIN/metrics" >/dev/null || { echo "vane did not start: $RUN/vane.log" >&2; exit 1; }
wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/p" >/dev/null
rps() { wrk -t1 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$PORT/p" | awk '/Requests\/sec/ {print $2}'; }
scraper() { # one keep-alive connection, a scrape every second (a process per scrape would cost more than the scrape)
  python3 - "$ADMIN" <<'PY' &
import http.client, sys, time
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
while True:
    c.request("GET", "/metrics"); c.getresponse().read(); time.sleep(1)
PY
  S=$!
}
A=(); B=()
for r in $(seq "$ROUNDS"); do
  # ABBA: each arm goes first in every other round, so drift (JIT, GC, the machine) does not favour one
  if ((r % 2)); then
    A+=("$(rps)"); scraper; B+=("$(rps)"); kill "$S"; wait "$S" 2>/dev/null || true
  else
    scraper; B+=("$(rps)"); kill "$S"; wait "$S" 2>/dev/null || true; A+=("$(rps)")
  fi
  echo "round $r: not scraped ${A[-1]} req/s, scraped every 1 s ${B[-1]} req/s"
done
python3 - "${A[*]}" "${B[*]}" <<'PY'
import statistics, sys
a = [float(x) for x in sys.argv[1].split()]; b = [float(x) for x in sys.argv[2].split()]
print(f"median not scraped {statistics.median(a):.0f} req/s, scraped {statistics.median(b):.0f} req/s, "
      f"ratio {statistics.median(b) / statistics.median(a):.3f}; per-round ratios "
      + " ".join(f"{y / x:.3f}" for x, y in zip(a, b)))
PY
curl -s "http://127.0.0.1:$ADMIN/metrics" | wc -c | awk '{print "exposition bytes:", $1}'
# what one scrape costs by itself, on the idle gateway: its wall time bounds the worker thread's CPU per scrape
for _ in $(seq 50); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$ADMIN/metrics"; done \
  | sort -n | awk '{t[NR]=$1} END {printf "scrape wall time over %d idle scrapes: median %.2f ms, p90 %.2f ms\n", NR, t[int(NR/2)]*1000, t[int(NR*0.9)]*1000}'
