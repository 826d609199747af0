#!/usr/bin/env bash
# Clinicpress benchmark: start-up time, page throughput/latency, bundle size,
# server memory. Run from anywhere: `bench/run.sh`. See bench/README.md.
#
# Knobs (environment):
#   BENCH_SKIP_BUILD=1    use the existing target/release/clinicpress + target/site
#   BENCH_DURATION=10s    measured wrk run per URL (wrk duration syntax)
#   BENCH_PORT=3900       loopback port for the server (default: first free from 3900)
#   BENCH_WARMUP=2s       unrecorded wrk run before each measured one
#   BENCH_START_RUNS=3    cold starts and warm restarts to time (median reported)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-2s}"
START_RUNS="${BENCH_START_RUNS:-3}"
THREADS=2
CONNECTIONS=32
HOST_NAME="pmc.localhost"
POST_SLUG="what-to-expect-at-your-first-visit"
URLS=("/" "/blog/${POST_SLUG}" "/blog?page=2")
POST_URL="/blog/${POST_SLUG}"
TARGET_POST_P99_MS=10
TARGET_COLD_MS=1000

BIN="$ROOT/target/release/clinicpress"
PKG="$ROOT/target/site/pkg"
OUT="$ROOT/bench/out"

# --- prerequisites -----------------------------------------------------------
command -v wrk >/dev/null 2>&1 || die "wrk is not installed (Debian/Ubuntu: apt-get install wrk)"
command -v curl >/dev/null 2>&1 || die "curl is not installed (apt-get install curl)"
command -v gzip >/dev/null 2>&1 || die "gzip is not installed (apt-get install gzip)"
command -v awk >/dev/null 2>&1 || die "awk is not installed"
[[ "$START_RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_START_RUNS must be a positive integer (got '$START_RUNS')"
[[ "$DURATION" =~ ^[0-9]+[smh]?$ ]] || die "BENCH_DURATION must look like 10s, 30s or 1m (got '$DURATION')"
[[ "$WARMUP" =~ ^[0-9]+[smh]?$ ]] || die "BENCH_WARMUP must look like 2s (got '$WARMUP')"
mkdir -p "$OUT"
rm -f "$OUT"/server-*.log "$OUT"/wrk-*.txt # leftovers from an earlier run

# --- state + cleanup -----------------------------------------------------------
SERVER_PID=""
WRK_PID=""
WORK="$(mktemp -d "${TMPDIR:-/tmp}/clinicpress-bench.XXXXXX")"

cleanup() {
    local rc=$?
    if [[ -n "$WRK_PID" ]]; then kill -TERM "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" 2>/dev/null || true; fi
    stop_server
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build -----------------------------------------------------------------------
if [[ "${BENCH_SKIP_BUILD:-0}" != "1" ]]; then
    command -v cargo >/dev/null 2>&1 || die "cargo is not on PATH"
    cargo leptos --version >/dev/null 2>&1 || die "cargo-leptos is missing (cargo install cargo-leptos --locked)"
    if [[ ! -d tools/node_modules ]]; then
        command -v npm >/dev/null 2>&1 || die "tools/node_modules is missing and npm is not installed (needed for wasm-opt)"
        say "installing build tools (npm ci --prefix tools)"
        npm ci --prefix tools >&2
    fi
    say "building release binary and site (cargo leptos build --release)"
    PATH="$ROOT/tools/node_modules/.bin:$PATH" cargo leptos build --release >&2
else
    say "BENCH_SKIP_BUILD=1: using the existing build"
fi
[[ -x "$BIN" ]] || die "no release binary at $BIN (run without BENCH_SKIP_BUILD=1)"
for f in clinicpress.wasm clinicpress.js clinicpress.css; do
    [[ -f "$PKG/$f" ]] || die "missing $PKG/$f (run without BENCH_SKIP_BUILD=1)"
done

# --- port ------------------------------------------------------------------------
choose_port
LOADAVG_START=$(cut -d" " -f1-3 /proc/loadavg)
BASE="http://127.0.0.1:$PORT"
HOST_HDR="Host: $HOST_NAME:$PORT"
say "using $BASE (Host: $HOST_NAME:$PORT)"

# --- server start / timing ---------------------------------------------------------

# start_server DATA_DIR LOG -> sets SERVER_PID and LAST_START_MS (launch → /healthz 200)
start_server() {
    local data="$1" log="$2" t0 t1 deadline code
    port_in_use "$PORT" && die "port $PORT became busy before starting the server (another process?)"
    t0=$(now_ns)
    NO_COLOR=1 CLINICPRESS_DATA="$data" CLINICPRESS_ADDR="127.0.0.1:$PORT" "$BIN" serve --demo 2>"$log" >/dev/null &
    SERVER_PID=$!
    deadline=$((t0 + 60 * 1000000000))
    while :; do
        code=$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "$BASE/healthz" 2>/dev/null || true)
        if [[ "$code" == "200" ]]; then
            t1=$(now_ns)
            break
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null || true
            SERVER_PID=""
            printf -- '--- server log (%s) ---\n' "$log" >&2
            tail -n 30 "$log" >&2 || true
            die "the server exited before /healthz answered"
        fi
        if (($(now_ns) > deadline)); then
            tail -n 30 "$log" >&2 || true
            die "/healthz did not answer 200 within 60 s"
        fi
        sleep 0.01
    done
    LAST_START_MS=$(((t1 - t0) / 1000000))
}

# The server's own figure: "serving on … (ready in N ms)".
self_reported_ms() {
    sed -n 's/.*(ready in \([0-9][0-9]*\) ms).*/\1/p' "$1" | tail -n 1
}

# median / min / max of whitespace-separated integers -> "median min max"
stats() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%d %d %d\n", m, v[1], v[NR] }'
}

cold_ms=()
cold_self=()
cold_demo_loaded=0
for ((i = 1; i <= START_RUNS; i++)); do
    data="$WORK/data-$i"
    log="$OUT/server-cold-$i.log"
    say "cold start $i/$START_RUNS (new data dir: create DB, migrate, load demo)"
    start_server "$data" "$log"
    cold_ms+=("$LAST_START_MS")
    cold_self+=("$(self_reported_ms "$log")")
    if grep -q "loaded the demo" "$log"; then cold_demo_loaded=$((cold_demo_loaded + 1)); fi
    stop_server
done
[[ "$cold_demo_loaded" == "$START_RUNS" ]] || say "warning: not every cold start logged 'loaded the demo'"

warm_ms=()
warm_self=()
warm_demo_loaded=0
DATA="$WORK/data-$START_RUNS"
for ((i = 1; i <= START_RUNS; i++)); do
    log="$OUT/server-warm-$i.log"
    say "warm restart $i/$START_RUNS (existing DB, no demo load)"
    start_server "$DATA" "$log"
    warm_ms+=("$LAST_START_MS")
    warm_self+=("$(self_reported_ms "$log")")
    if grep -q "loaded the demo" "$log"; then warm_demo_loaded=$((warm_demo_loaded + 1)); fi
    if ((i < START_RUNS)); then stop_server; fi
done
((warm_demo_loaded == 0)) || say "warning: a warm restart logged 'loaded the demo' (the DB was expected to be non-empty)"
# The last warm-restarted server stays up for the load runs.

read -r cold_med cold_min cold_max <<<"$(stats "${cold_ms[@]}")"
read -r warm_med warm_min warm_max <<<"$(stats "${warm_ms[@]}")"
read -r cold_self_med _ _ <<<"$(stats "${cold_self[@]:-0}")"
read -r warm_self_med _ _ <<<"$(stats "${warm_self[@]:-0}")"

# --- check the URLs answer 200 -----------------------------------------------------
for u in "${URLS[@]}"; do
    code=$(curl -s -o /dev/null --max-time 10 -H "$HOST_HDR" -w '%{http_code}' "$BASE$u" || true)
    [[ "$code" == "200" ]] ||
        die "GET $u (Host: $HOST_NAME:$PORT) answered '${code:-no response}', expected 200 — is the demo content loaded and the slug '$POST_SLUG' still valid? Server log: $OUT/server-warm-$START_RUNS.log"
done

RSS_IDLE_KB=$(kb_of "$SERVER_PID" VmRSS)


# wrk runs in the background and we `wait` for it, so Ctrl-C / TERM reach the
# trap at once instead of after the whole run.
run_wrk() { # run_wrk OUTFILE WRK-ARGS...
    local out="$1" rc=0
    shift
    wrk "$@" >"$out" &
    WRK_PID=$!
    wait "$WRK_PID" || rc=$?
    WRK_PID=""
    return "$rc"
}

declare -A RPS P50 P99 TOTAL NON2XX SOCKERR SOCKDETAIL SRV_CPU WRK_CPU OTHER_CPU WALL_MS CPU_PER_REQ
for u in "${URLS[@]}"; do
    name=$(printf '%s' "$u" | sed 's#^/##; s#[^A-Za-z0-9]#_#g')
    name=${name:-root}
    say "warm-up $WARMUP: GET $u"
    run_wrk /dev/null -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "$HOST_HDR" "$BASE$u" || die "wrk failed (warm-up on $u)"
    say "measuring $DURATION: GET $u ($THREADS threads, $CONNECTIONS connections)"
    m0=$(machine_busy_ms); s0=$(proc_cpu_ms "$SERVER_PID"); children_cpu_ms; c0=$CHILD_MS; w0=$(now_ns)
    run_wrk "$OUT/wrk-$name.txt" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$HOST_HDR" "$BASE$u" ||
        die "wrk failed on $u (output in $OUT/wrk-$name.txt)"
    w1=$(now_ns); s1=$(proc_cpu_ms "$SERVER_PID"); children_cpu_ms; c1=$CHILD_MS; m1=$(machine_busy_ms)
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server died during the load on $u (see $OUT/server-warm-$START_RUNS.log)"
    parsed=$(parse_wrk <"$OUT/wrk-$name.txt") || { cat "$OUT/wrk-$name.txt" >&2; die "could not parse wrk output for $u"; }
    read -r "RPS[$u]" "P50[$u]" "P99[$u]" "TOTAL[$u]" "NON2XX[$u]" "SOCKERR[$u]" _ detail <<<"$parsed"
    SOCKDETAIL[$u]="$detail"
    srv=$((s1 - s0)); wrkc=$((c1 - c0)); other=$((m1 - m0 - srv - wrkc))
    if ((other < 0)); then other=0; fi
    WALL_MS[$u]=$(((w1 - w0) / 1000000)); SRV_CPU[$u]=$srv; WRK_CPU[$u]=$wrkc; OTHER_CPU[$u]=$other
    CPU_PER_REQ[$u]=$(awk -v c="$srv" -v n="${TOTAL[$u]}" 'BEGIN { printf "%.2f", (n > 0) ? c / n : 0 }')
done

RSS_AFTER_KB=$(kb_of "$SERVER_PID" VmRSS)
HWM_KB=$(kb_of "$SERVER_PID" VmHWM)
THREADS_SRV=$(kb_of "$SERVER_PID" Threads)

# --- bundle sizes ------------------------------------------------------------------------
HAVE_BROTLI=0
if command -v brotli >/dev/null 2>&1; then HAVE_BROTLI=1; fi

size_raw() { stat -c %s "$1"; }
size_gz() { gzip -9 -c "$1" | wc -c; }
size_br() { if ((HAVE_BROTLI)); then brotli -q 11 -c "$1" | wc -c; else echo ""; fi; }
kib() { [[ -n "$1" ]] && awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }' || echo "n/a"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

declare -A RAW GZ BR
for f in clinicpress.wasm clinicpress.js clinicpress.css; do
    RAW[$f]=$(size_raw "$PKG/$f")
    GZ[$f]=$(size_gz "$PKG/$f")
    BR[$f]=$(size_br "$PKG/$f")
done
HYD_RAW=$((${RAW[clinicpress.wasm]} + ${RAW[clinicpress.js]}))
HYD_GZ=$((${GZ[clinicpress.wasm]} + ${GZ[clinicpress.js]}))
HYD_BR=""
if ((HAVE_BROTLI)); then HYD_BR=$((${BR[clinicpress.wasm]} + ${BR[clinicpress.js]})); fi

# --- report ----------------------------------------------------------------------------------
verdict() { # verdict VALUE LIMIT -> "meets" / "MISSES"
    awk -v v="$1" -v l="$2" 'BEGIN { print (v + 0 < l + 0) ? "meets" : "MISSES" }'
}

CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
CPU_MODEL=${CPU_MODEL:-unknown}
GIT_REV=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then GIT_REV="$GIT_REV+dirty"; fi
BR_NOTE=""
if ((!HAVE_BROTLI)); then BR_NOTE='; brotli n/a: no `brotli` CLI (apt-get install brotli)'; fi
BIN_MTIME=$(date -u -r "$BIN" '+%Y-%m-%d %H:%M UTC')
NOW=$(date -u '+%Y-%m-%d %H:%M:%S UTC')

bundle_row() { # label raw gz br
    printf '| %s | %s raw · %s gzip -9 · %s brotli | %s / %s / %s bytes (raw / gzip -9 / brotli -q 11)%s |\n' \
        "$1" "$(kib "$2")" "$(kib "$3")" "$(kib "$4")" "$2" "$3" "${4:-n/a}" "$BR_NOTE"
}

report() {
    local cores
    cores=$(nproc)
    printf '### Clinicpress benchmark — %s\n\n' "$NOW"
    printf 'Machine: %s cores (nproc), %s, %s · load average at start %s · commit %s · binary built %s · wrk %s threads × %s connections, %s per URL after %s warm-up, server and wrk on the same host\n\n' \
        "$cores" "$CPU_MODEL" "$(uname -sr)" "$LOADAVG_START" "$GIT_REV" "$BIN_MTIME" "$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP"
    printf '| Measure | Value | Notes |\n'
    printf '|---|---|---|\n'
    printf '| Cold start → `/healthz` 200 (new DB: create, migrate, load demo) | %s ms | median of %s (%s–%s ms); server self-reports ready in %s ms; target < %s ms: %s |\n' \
        "$cold_med" "$START_RUNS" "$cold_min" "$cold_max" "$cold_self_med" "$TARGET_COLD_MS" "$(verdict "$cold_med" "$TARGET_COLD_MS")"
    printf '| Warm restart → `/healthz` 200 (existing DB, no demo load) | %s ms | median of %s (%s–%s ms); server self-reports ready in %s ms |\n' \
        "$warm_med" "$START_RUNS" "$warm_min" "$warm_max" "$warm_self_med"
    local u note busy
    for u in "${URLS[@]}"; do
        printf '| `GET %s` throughput | %s req/s | %s requests in %s |\n' "$u" "${RPS[$u]}" "${TOTAL[$u]}" "$DURATION"
        note=""
        if [[ "$u" == "$POST_URL" ]]; then
            note="target p99 < ${TARGET_POST_P99_MS} ms: $(verdict "${P99[$u]}" "$TARGET_POST_P99_MS")"
        fi
        printf '| `GET %s` latency p50 / p99 | %s ms / %s ms | %s |\n' "$u" "${P50[$u]}" "${P99[$u]}" "$note"
        printf '| `GET %s` errors | %s non-2xx/3xx · %s socket errors | socket: %s |\n' \
            "$u" "${NON2XX[$u]}" "${SOCKERR[$u]}" "${SOCKDETAIL[$u]}"
        busy=$(awk -v o="${OTHER_CPU[$u]}" -v w="${WALL_MS[$u]}" 'BEGIN { print (w > 0 && o * 100 / w > 25) ? 1 : 0 }')
        note=$(awk -v s="${SRV_CPU[$u]}" -v k="${WRK_CPU[$u]}" -v o="${OTHER_CPU[$u]}" -v w="${WALL_MS[$u]}" -v c="$cores" \
            'BEGIN { if (w <= 0) w = 1; printf "CPU during the run, %% of one core (max %d%%): server %.0f%%, wrk %.0f%%, other processes %.0f%%", c * 100, s * 100 / w, k * 100 / w, o * 100 / w }')
        if ((busy)); then note="$note — **machine busy with other work: throughput/latency are pessimistic**"; fi
        printf '| `GET %s` server CPU per request | %s ms | %s |\n' "$u" "${CPU_PER_REQ[$u]}" "$note"
    done
    bundle_row 'Hydrate bundle `clinicpress.wasm`' "${RAW[clinicpress.wasm]}" "${GZ[clinicpress.wasm]}" "${BR[clinicpress.wasm]}"
    bundle_row 'Hydrate bundle `clinicpress.js`' "${RAW[clinicpress.js]}" "${GZ[clinicpress.js]}" "${BR[clinicpress.js]}"
    bundle_row 'Hydrate bundle total (wasm + js)' "$HYD_RAW" "$HYD_GZ" "$HYD_BR"
    bundle_row 'Stylesheet `clinicpress.css`' "${RAW[clinicpress.css]}" "${GZ[clinicpress.css]}" "${BR[clinicpress.css]}"
    printf '| Server peak RSS (VmHWM) after the load | %s | RSS idle after start %s, after load %s; %s threads |\n' \
        "$(mib "$HWM_KB")" "$(mib "$RSS_IDLE_KB")" "$(mib "$RSS_AFTER_KB")" "$THREADS_SRV"
}

report | tee "$OUT/latest.md"
say "written to bench/out/latest.md (raw wrk output and server logs in bench/out/)"
