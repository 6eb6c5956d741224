# Shell shared by bench/run.sh, bench/scale.sh and bench/tails.sh (sourced, not run). The sourcing script sets HERE
# (bench/) and ROOT (the repository) first; this file sets PY, VB, JAR, NGINX, ECHO_MODULE, VANE_JAVA and the
# functions below. Every process started with bg() is stopped by the EXIT trap that bench_rundir() installs.
#
#   VANE_JAR [gateway/target/vane.jar]  built with mvn when missing; copied into the run directory before use
#   VANE_JAVA [java]    the java binary that runs Vane (e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   VANE_JAVA_OPTS []   extra JVM options for every Vane process (e.g. -XX:+UseZGC)
#   PYTHON [python3]

PY=${PYTHON:-python3}
VB="$PY $HERE/vb.py"
JAR=${VANE_JAR:-$ROOT/gateway/target/vane.jar}
VANE_JAVA=${VANE_JAVA:-java}
VANE_JAVA_OPTS=${VANE_JAVA_OPTS:-}
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so
# ~150-byte KServe v2 response body of the fast backend
RESP_BODY='{"model_name":"fraud","model_version":"1","id":"bench-resp00","outputs":[{"name":"score","shape":[1,2],"datatype":"FP32","data":[0.921337,0.078663]}]}'

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

bench_deps() { # install what is missing (wrk, nginx + echo module, redis, a JDK, python3, maven) and build the jar
  local sudo="" pkgs=()
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  command -v wrk >/dev/null || pkgs+=(wrk)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || pkgs+=(nginx)
  [[ -f $ECHO_MODULE ]] || pkgs+=(libnginx-mod-http-echo)
  command -v redis-server >/dev/null || pkgs+=(redis-server)
  command -v redis-cli >/dev/null || pkgs+=(redis-tools)
  command -v java >/dev/null || pkgs+=(openjdk-17-jdk-headless)
  command -v "$PY" >/dev/null || pkgs+=(python3)
  if [[ ! -f $JAR ]] && ! command -v mvn >/dev/null; then pkgs+=(maven); fi
  if ((${#pkgs[@]})); then
    log "installing ${pkgs[*]}"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${pkgs[@]}"
  fi
  # the Debian nginx package may start the system service; the harness never uses or touches it
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  if [[ ! -f $JAR ]]; then
    log "building $JAR"
    (cd "$ROOT" && mvn -q -B package -DskipTests)
  fi
}

PIDS=()
WRK_PID=""
bench_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n $WRK_PID ]] && kill "$WRK_PID" 2>/dev/null
  if ((${#PIDS[@]})); then
    log "stopping ${#PIDS[@]} processes"
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for _ in $(seq 50); do
      local alive=0
      for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
      ((alive)) || break
      sleep 0.1
    done
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  fi
  exit $rc
}

bench_rundir() { # bench_rundir PREFIX: TS, OUT (bench/out), RUN (OUT/PREFIX-TS) with logs/ and tmp/, the jar copied, traps
  TS=$(date -u +%Y%m%dT%H%M%SZ)
  OUT="$HERE/out"
  RUN="$OUT/$1-$TS"
  mkdir -p "$RUN/logs" "$RUN/tmp"
  chmod 755 "$RUN" "$RUN/tmp"
  cp "$JAR" "$RUN/vane.jar" # other builds may replace the jar while the benchmark runs
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

bg() { # bg NAME CMD...: start CMD in the background with its output in logs/NAME.log; its pid in PID_<NAME>
  local name=$1; shift
  "$@" >"$RUN/logs/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_${name//-/_}=$!"
}

stop() { # stop NAME: stop a process started with bg (TERM, then KILL after 5 s)
  local var="PID_${1//-/_}" p
  p=${!var:-}
  [[ -n $p ]] || return 0
  kill "$p" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}

port() { $VB freeport; }

start_nginx() { # start_nginx NAME TEMPLATE KEY=VALUE...: render bench/nginx/TEMPLATE.conf.tmpl into RUN/NAME.conf and run it
  local name=$1 tmpl=$2; shift 2
  $VB render "$HERE/nginx/$tmpl.conf.tmpl" "$RUN/$name.conf" WORK="$RUN" "$@"
  $NGINX -t -q -p "$RUN" -e "$RUN/logs/$name-error.log" -c "$RUN/$name.conf" || die "nginx config $name invalid"
  bg "nginx-$name" "$NGINX" -p "$RUN" -e "$RUN/logs/$name-error.log" -c "$RUN/$name.conf"
}

start_redis() { # start_redis PORT: the harness's own redis-server (no persistence), waits until it answers
  bg redis redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    --protected-mode yes --dir "$RUN/tmp"
  for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$1" ping >/dev/null || die "redis-server did not start (logs/redis.log)"
}

write_resp_body() { # write_resp_body BYTES: RUN/resp-body.json, the backend's /resp/infer answer, a JSON of BYTES bytes
  $PY -c 'import sys; n = int(sys.argv[2]); h = "{\"model_name\":\"big\",\"outputs\":[{\"name\":\"blob\",\"datatype\":\"BYTES\",\"data\":[\""; t = "\"]}]}"
open(sys.argv[1], "w").write(h + "x" * (n - len(h) - len(t)) + t)' "$RUN/resp-body.json" "$1"
}

compile_baselines() { # compile_baselines: bench/baseline/*.java (the bare Vert.x and Netty proxies) into RUN/baseline
  mkdir -p "$RUN/baseline"
  javac -d "$RUN/baseline" -cp "$RUN/vane.jar" "$HERE/baseline/BareVertxProxy.java" "$HERE/baseline/BareNettyProxy.java" \
    2>"$RUN/logs/javac-baseline.log" \
    || { cat "$RUN/logs/javac-baseline.log" >&2; die "could not compile bench/baseline/*.java"; }
}

validate_config() { # validate_config FILE: vane validate, die with its errors when invalid
  local l="$RUN/logs/validate-$(basename "$1" .yaml).log"
  "$VANE_JAVA" -jar "$RUN/vane.jar" validate "$1" >"$l" 2>&1 || { cat "$l" >&2; die "generated config $1 is invalid"; }
}

start_vane() { # start_vane NAME [JVM options...]: java VANE_JAVA_OPTS -Xlog:gc... -jar vane.jar serve RUN/NAME.yaml
  local name=$1; shift
  # -Xlog:gc gives G1's pauses; gc+phases adds ZGC's (its gc lines are concurrent cycles, not pauses)
  # shellcheck disable=SC2086
  bg "$name" "$VANE_JAVA" $VANE_JAVA_OPTS "$@" -Xlog:gc,gc+phases=info:file="$RUN/logs/$name-gc.log":uptime,level,tags \
    -jar "$RUN/vane.jar" serve --config "$RUN/$name.yaml"
}

run_wrk() { # run_wrk OUTFILE SECONDS RATE URL [SCRIPT [PATH]]: 1 wrk thread, CONNS connections, USERS users;
  # extra VB_* settings (lua/infer.lua) come from the environment, and from WRK_ENV ("VB_X=1 VB_Y=2", they win)
  local out=$1 secs=$2 rate=$3 url=$4 script=${5:-infer} path=${6:-${INFER:-/v2/models/fraud/infer}}
  # shellcheck disable=SC2086
  env VB_RATE="$rate" VB_USERS="${VB_USERS:-$USERS}" ${WRK_ENV:-} wrk -t1 -c"$CONNS" -d"${secs}s" --latency --timeout 5s \
    -s "$HERE/lua/$script.lua" "$url$path" >"$out" 2>&1 &
  WRK_PID=$!
  local rc=0
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  ((rc == 0)) || die "wrk failed ($rc): $(tail -5 "$out")"
}

redis_snap() { # redis_snap FILE [PORT]: INFO stats + commandstats + memory (PORT defaults to REDIS_PORT)
  local p=${2:-$REDIS_PORT}
  { redis-cli -p "$p" INFO stats; redis-cli -p "$p" INFO commandstats; redis-cli -p "$p" INFO memory; } >"$1"
}

summary_line() {
  grep -E '^(Requests/sec|  Non-2xx|  Socket errors)' "$1" | tr -s ' ' | paste -sd' ' -
}

get_json() { # get_json URL OUTFILE: GET a document (no file on failure)
  if $PY -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
    "$1" >"$2.tmp" 2>/dev/null; then mv "$2.tmp" "$2"; else rm -f "$2.tmp"; fi
}

machine_facts() { # export F_* (machine, versions, git) for the JSON; F_COMMAND is the reproducing command line
  export F_CPU="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
  export F_NPROC="$(nproc)"
  export F_MEM="$(free -m | awk '/^Mem:/{print $2" MB"}')"
  export F_KERNEL="$(uname -sr)"
  export F_JAVA="$("$VANE_JAVA" -version 2>&1 | sed -n 2p)"
  export F_NGINX="$($NGINX -v 2>&1)"
  export F_WRK="$(wrk --version 2>&1 | head -1 | awk '{print $1, $2}')"
  export F_REDIS="$(redis-server --version)"
  export F_GIT="$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null)$(cd "$ROOT" && git diff --quiet -- . ':!bench' 2>/dev/null || echo '+dirty')"
}

cmdline() { # cmdline SCRIPT VAR...: the variables that are set, quoted, then SCRIPT (for F_COMMAND)
  local script=$1 v; shift
  for v in "$@"; do [[ -n ${!v:-} ]] && printf '%s=%q ' "$v" "${!v}"; done
  echo "$script"
}

write_meta() { # write_meta FILE "STRING_VARS" "INT_VARS": the run's settings and machine facts (F_*) as JSON
  local v
  for v in $2 $3; do export "${v?}"; done
  $PY - "$1" "$2" "$3" <<'EOF'
import json, os, sys
e = os.environ
meta = {k.lower(): e.get(k, "") for k in sys.argv[2].split()}
meta.update({k.lower(): int(e[k]) for k in sys.argv[3].split()})
meta["machine"] = {k[2:].lower(): e[k] for k in e if k.startswith("F_")}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
EOF
}
