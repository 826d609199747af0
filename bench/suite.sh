#!/usr/bin/env bash
# Clinicpress benchmark suite (issue 8): one command, one table. For SQLite and
# PostgreSQL with 1k and 100k generated posts: requests/s, p50 and p99 at 32
# connections (wrk) for `/`, `/blog/{slug}`, `/blog?page=3`, `/search?q=…`,
# `/feed.xml` and `POST /api/v1/leads`; peak RSS, cold start (to /healthz and
# to /readyz), index build time, the compressed bytes each public page loads;
# and the same post page (and home) served as a static file by nginx in the
# same run, with the ratio. Run from anywhere: `bench/suite.sh`. See
# bench/README.md.
#
# Knobs (environment):
#   BENCH_SKIP_BUILD=1                 use the existing target/release/clinicpress, target/site and examples/search_bench
#   BENCH_SUITE_SIZES="1000 100000"    post counts, in order
#   BENCH_SUITE_DBS="sqlite postgres"  databases, in order
#   BENCH_DURATION=10s                 measured wrk run per URL (32 connections)
#   BENCH_WARMUP=2s                    unrecorded wrk run before each measured one
#   BENCH_START_RUNS=3                 cold starts of the existing database to time (median reported)
#   BENCH_SUITE_UNCACHED=1             also measure the cacheable pages with the page cache off (0 = skip)
#   BENCH_SUITE_QUERY="knee pain"      the search query
#   BENCH_KEEP_DATA=1                  keep the generated data (bench/out/suite-data-DB-N, PostgreSQL
#                                      database clinicpress_suite_keep_N) and reuse it next time
#   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres   PostgreSQL server to create databases on
#   BENCH_NGINX=/usr/sbin/nginx        the static server to compare with
#   BENCH_PORT=3900                    loopback port for the server (default: first free from 3900)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-2s}"
SIZES="${BENCH_SUITE_SIZES:-1000 100000}"
DBS="${BENCH_SUITE_DBS:-sqlite postgres}"
START_RUNS="${BENCH_START_RUNS:-3}"
UNCACHED="${BENCH_SUITE_UNCACHED:-1}"
QUERY="${BENCH_SUITE_QUERY:-knee pain}"
KEEP_DATA="${BENCH_KEEP_DATA:-}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
NGINX="${BENCH_NGINX:-/usr/sbin/nginx}"
THREADS=2
CONNECTIONS=32
WRK_TIMEOUT=10s # a slow answer is measured, not counted as a socket error (wrk's default: 2 s)
HOST_NAME="c1.localhost"  # clinic c1 of `search_bench generate` (pain medicine)
LEADS_OFFICE="riverside"  # an office of c1: one inbox, one notice per lead
# Request lines off (tower_http and the request span), the search service's
# start-up lines kept (they give the index build time).
LOG_FILTER="warn,clinicpress::search=info"
BUSY_PCT=25 # other processes above this share of one core flag the figures

# Targets (issue 8).
AIM_SIZE=100000
AIM_RATIO=0.5          # post page and home: at least half nginx's requests/s
AIM_PAGE_P99_MS=5      # post page and home, p99 at 32 connections
AIM_SEARCH_P99_MS=5    # search at 100k posts
AIM_LEADS_P99_MS=20
AIM_COLD_MS=1000       # at 100k posts
AIM_RSS_MB=150         # at 100k posts, MB = 10^6 bytes
AIM_FIRST_LOAD_B=100000 # a post page's first load, brotli, 100 KB = 100,000 bytes

BIN="$ROOT/target/release/clinicpress"
EX="$ROOT/target/release/examples/search_bench"
OUT="$ROOT/bench/out"
LEADS_LUA="$ROOT/bench/leads.lua"

# --- prerequisites -----------------------------------------------------------
command -v wrk >/dev/null 2>&1 || die "wrk is not installed (Debian/Ubuntu: apt-get install wrk)"
command -v curl >/dev/null 2>&1 || die "curl is not installed (apt-get install curl)"
curl -V | grep -qi brotli || die "this curl cannot decode brotli (it counts the bytes the server sends with Accept-Encoding: br)"
[[ -x "$NGINX" ]] || die "nginx is missing at $NGINX (Debian/Ubuntu: apt-get install nginx; it need not run, the suite starts its own instance on 127.0.0.1); or set BENCH_NGINX"
[[ -f "$LEADS_LUA" ]] || die "missing $LEADS_LUA"
for n in $SIZES; do [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SUITE_SIZES must be positive integers (got '$n')"; done
for d in $DBS; do
    case "$d" in
    sqlite) ;;
    postgres) command -v psql >/dev/null 2>&1 || die "psql is not installed (apt-get install postgresql-client)" ;;
    *) die "BENCH_SUITE_DBS: unknown database '$d' (sqlite, postgres)" ;;
    esac
done
[[ -n "$SIZES" && -n "$DBS" ]] || die "BENCH_SUITE_SIZES and BENCH_SUITE_DBS must not be empty"
for d in "$DURATION" "$WARMUP"; do
    [[ "$d" =~ ^[0-9]+[smh]?$ ]] || die "durations must look like 10s, 30s or 1m (got '$d')"
done
[[ "$START_RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_START_RUNS must be a positive integer (got '$START_RUNS')"
[[ "$QUERY" =~ ^[A-Za-z0-9\ ]+$ ]] || die "BENCH_SUITE_QUERY: letters, digits and spaces only (got '$QUERY')"
QUERY_QS="q=${QUERY// /+}"
mkdir -p "$OUT"
rm -f "$OUT"/suite-*.txt "$OUT"/suite-*.log "$OUT"/suite-*.html "$OUT"/suite-nginx.conf

# --- state + cleanup -----------------------------------------------------------
SERVER_PID=""
WRK_PID=""
NGINX_PID=""
PG_DB=""      # a database this run created and drops
WORK="$(mktemp -d "${TMPDIR:-/tmp}/clinicpress-suite.XXXXXX")"

pg_admin() { psql "$PG_URL" -v ON_ERROR_STOP=1 -qAtc "$1"; }

stop_nginx() {
    local pid="$NGINX_PID" i
    NGINX_PID=""
    [[ -n "$pid" ]] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    if [[ -n "$WRK_PID" ]]; then kill -TERM "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" 2>/dev/null || true; fi
    stop_server
    stop_nginx
    if [[ -n "$PG_DB" ]]; then pg_admin "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true; fi
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
    say "building the release binary and site (cargo leptos build --release)"
    PATH="$ROOT/tools/node_modules/.bin:$PATH" cargo leptos build --release >&2
    say "building the data generator (cargo build --release --example search_bench)"
    cargo build --release --locked -p clinicpress --example search_bench >&2
else
    say "BENCH_SKIP_BUILD=1: using the existing build"
fi
[[ -x "$BIN" ]] || die "no release binary at $BIN (run without BENCH_SKIP_BUILD=1)"
[[ -x "$EX" ]] || die "no data generator at $EX (run without BENCH_SKIP_BUILD=1)"
[[ -d "$ROOT/target/site/pkg" ]] || die "no target/site/pkg: the release build must be made with cargo leptos (run without BENCH_SKIP_BUILD=1)"

choose_port
BASE="http://127.0.0.1:$PORT"
HOST_HDR="Host: $HOST_NAME:$PORT"
LOADAVG_START=$(cut -d" " -f1-3 /proc/loadavg)
STARTED_NS=$(now_ns)
say "server on $BASE (Host: $HOST_NAME:$PORT)"

# --- helpers ---------------------------------------------------------------------


# wrk in the background, so Ctrl-C / TERM reach the trap at once.
run_wrk() { # run_wrk OUTFILE WRK-ARGS...
    local out="$1" rc=0
    shift
    wrk --timeout "$WRK_TIMEOUT" "$@" >"$out" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || rc=$?
    WRK_PID=""
    return "$rc"
}

# CPU of a process and its children (nginx: the master and its workers).
tree_cpu_ms() {
    local t c
    t=$(proc_cpu_ms "$1" 2>/dev/null || echo 0)
    for c in $(pgrep -P "$1" 2>/dev/null || true); do t=$((t + $(proc_cpu_ms "$c" 2>/dev/null || echo 0))); done
    echo "$t"
}

pct() { awk -v o="$1" -v w="$2" 'BEGIN { if (o < 0) o = 0; printf "%.0f", (w > 0 ? o * 100 / w : 0) }'; }
ms_since() { echo $((($(now_ns) - $1) / 1000000)); }

declare -A R # results, keyed "cfg:name"
CFGS=()

# measure CFG KEY TARGET_PID FAIL_ON_ERRORS URL WRK-ARGS...: warm-up, then the
# measured run; stores rps, p50, p99, errors, CPU per request, other processes' CPU.
measure() {
    local cfg="$1" key="$2" pid="$3" strict="$4" url="$5" out m0 m1 s0 s1 c0 c1 w0 w1 parsed
    shift 5
    out="$OUT/suite-wrk-$cfg-$key.txt"
    say "[$cfg] $key: warm-up $WARMUP, then $DURATION with $CONNECTIONS connections"
    run_wrk "$WORK/warmup.txt" -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" ||
        { cat "$WORK/warmup.txt" >&2; die "[$cfg] wrk failed (warm-up, $key)"; }
    m0=$(machine_busy_ms); s0=$(tree_cpu_ms "$pid"); children_cpu_ms; c0=$CHILD_MS; w0=$(now_ns)
    run_wrk "$out" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" ||
        { cat "$out" >&2; die "[$cfg] wrk failed on $key"; }
    w1=$(now_ns); s1=$(tree_cpu_ms "$pid"); children_cpu_ms; c1=$CHILD_MS; m1=$(machine_busy_ms)
    kill -0 "$pid" 2>/dev/null || die "[$cfg] the server died during the load on $key"
    parsed=$(parse_wrk <"$out") || { cat "$out" >&2; die "[$cfg] cannot parse the wrk output for $key"; }
    local rps p50 p99 total non2xx sockerr srv wrkc other wall
    read -r rps p50 p99 total non2xx sockerr _ <<<"$parsed"
    ((total > 0)) || die "[$cfg] wrk made no requests on $key"
    if [[ "$strict" == 1 ]] && ((non2xx + sockerr > 0)); then
        cat "$out" >&2
        die "[$cfg] $key: $non2xx non-2xx answers and $sockerr socket errors under load (wrk output: $out)"
    fi
    wall=$(((w1 - w0) / 1000000))
    srv=$((s1 - s0)); wrkc=$((c1 - c0)); other=$((m1 - m0 - srv - wrkc))
    R[$cfg:$key:rps]=$rps; R[$cfg:$key:p50]=$p50; R[$cfg:$key:p99]=$p99; R[$cfg:$key:total]=$total
    R[$cfg:$key:err]="$non2xx / $sockerr"
    R[$cfg:$key:cpu]=$(awk -v c="$srv" -v t="$total" 'BEGIN { printf "%.2f", c / t }')
    R[$cfg:$key:other]=$(pct "$other" "$wall")
    R[$cfg:$key:wrkcpu]=$(pct "$wrkc" "$wall")
    say "[$cfg] $key: $rps req/s, p50 $p50 ms, p99 $p99 ms, non-2xx/socket errors $non2xx / $sockerr"
}

# start_server CFG LOG ENV...: clinicpress serve on DATA (DB_URL if PostgreSQL);
# sets SERVER_PID, HEALTH_MS (launch → /healthz 200) and READY_MS (→ /readyz 200).
start_server() {
    local cfg="$1" log="$2" t0 code deadline envs=()
    shift 2
    [[ -n "$DB_URL" ]] && envs+=(DATABASE_URL="$DB_URL")
    port_in_use "$PORT" && die "port $PORT became busy before starting the server (another process?)"
    t0=$(now_ns)
    env -u DATABASE_URL -u CLINICPRESS_CONFIG -u CLINICPRESS_PAGE_CACHE_MB -u CLINICPRESS_LOG -u SMTP_URL \
        -u CLINICPRESS_SQLITE_SYNCHRONOUS NO_COLOR=1 "${envs[@]}" "$@" \
        "$BIN" --data-dir "$DATA" --log "$LOG_FILTER" serve --trust-proxy --addr "127.0.0.1:$PORT" 2>"$log" >/dev/null &
    SERVER_PID=$!
    wait_healthy "$log" "[$cfg] " 0.01
    HEALTH_MS=$(ms_since "$t0")
    deadline=$((t0 + 1800 * 1000000000)) # building 100k posts' index takes a while
    while :; do
        code=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$BASE/readyz" 2>/dev/null || true)
        [[ "$code" == "200" ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$log" >&2; die "[$cfg] the server exited before /readyz answered 200"; }
        (($(now_ns) < deadline)) || { tail -n 30 "$log" >&2; die "[$cfg] /readyz did not answer 200 within 30 minutes"; }
        sleep 0.02
    done
    READY_MS=$(ms_since "$t0")
}

plain_log() { sed 's/\x1b\[[0-9;]*m//g' "$1"; } # the log without colour codes

# Seconds between two log lines' timestamps (tracing's RFC 3339 first field).
log_span_s() { # log_span_s LOG START-PATTERN END-PATTERN
    local a b
    a=$(plain_log "$1" | grep -m1 -- "$2" | awk '{ print $1 }') || true
    b=$(plain_log "$1" | grep -m1 -- "$3" | awk '{ print $1 }') || true
    [[ -n "$a" && -n "$b" ]] || { echo ""; return 0; }
    a=$(date -u -d "$a" +%s.%N 2>/dev/null) || { echo ""; return 0; }
    b=$(date -u -d "$b" +%s.%N 2>/dev/null) || { echo ""; return 0; }
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b - a }'
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

get() { # get URL OUTFILE [CURL-ARGS...] -> prints the status code
    local url="$1" out="$2"
    shift 2
    curl -s -o "$out" --max-time 60 -H "$HOST_HDR" -w '%{http_code}' "$@" "$BASE$url" || true
}

# first_load CFG KEY URL: the page and every CSS/JS/WASM file it references,
# each fetched with Accept-Encoding: br; bytes on the wire (size_download).
first_load() {
    local cfg="$1" key="$2" url="$3" html="$WORK/fl.html" hdr="$WORK/fl.hdr" line code bytes enc a ext
    local html_b css_b=0 js_b=0 wasm_b=0 n_css=0 n_js=0 n_wasm=0 plain=""
    line=$(curl -s -o "$html" -D "$hdr" --compressed -H 'Accept-Encoding: br' -H "$HOST_HDR" --max-time 60 \
        -w '%{http_code} %{size_download}' "$BASE$url") || die "[$cfg] cannot fetch $url"
    read -r code html_b <<<"$line"
    [[ "$code" == 200 ]] || die "[$cfg] GET $url with Accept-Encoding: br answered $code"
    enc=$(awk -F': *' 'tolower($1) == "content-encoding" { gsub(/\r/, "", $2); print $2 }' "$hdr")
    [[ "$enc" == br ]] || plain="HTML sent as '${enc:-identity}'"
    # Same-origin stylesheets, scripts and WebAssembly the page names, less
    # what its on-demand loader fetches only when the visitor first uses the
    # search box or a form (public pages; the admin area loads it at once).
    perl -0pe 's{<script type="module">(?:(?!</script>).)*?clinicpress:hydrate.*?</script>}{}gs' "$html" |
        grep -oE '(href|src)="/[^"]+"|/pkg/[A-Za-z0-9._/-]+(\?[A-Za-z0-9=&._-]*)?' |
        sed -E 's/^(href|src)="//; s/"$//' | grep -v '^//' | grep -E '\.(css|js|mjs|wasm)(\?.*)?$' | sort -u >"$WORK/fl.assets" || true
    while IFS= read -r a; do
        line=$(curl -s -o /dev/null -D "$hdr" --compressed -H 'Accept-Encoding: br' -H "$HOST_HDR" --max-time 60 \
            -w '%{http_code} %{size_download}' "$BASE$a") || die "[$cfg] cannot fetch $a"
        read -r code bytes <<<"$line"
        [[ "$code" == 200 ]] || die "[$cfg] GET $a (named by $url) answered $code"
        enc=$(awk -F': *' 'tolower($1) == "content-encoding" { gsub(/\r/, "", $2); print $2 }' "$hdr")
        [[ "$enc" == br ]] || plain="${plain:+$plain; }${a##*/} sent as '${enc:-identity}'"
        ext="${a%%\?*}"; ext="${ext##*.}"
        case "$ext" in
        css) css_b=$((css_b + bytes)); n_css=$((n_css + 1)) ;;
        wasm) wasm_b=$((wasm_b + bytes)); n_wasm=$((n_wasm + 1)) ;;
        *) js_b=$((js_b + bytes)); n_js=$((n_js + 1)) ;;
        esac
    done <"$WORK/fl.assets"
    R[$cfg:fl:$key:total]=$((html_b + css_b + js_b + wasm_b))
    R[$cfg:fl:$key]=$(awk -v h="$html_b" -v c="$css_b" -v j="$js_b" -v w="$wasm_b" -v nc="$n_css" -v nj="$n_js" -v nw="$n_wasm" \
        'function kb(b) { return sprintf("%.1f", b / 1000) } BEGIN {
            printf "%s KB: HTML %s + CSS %s (%d) + JS %s (%d) + WASM %s (%d)", kb(h + c + j + w), kb(h), kb(c), nc, kb(j), nj, kb(w), nw }')
    [[ -z "$plain" ]] || R[$cfg:fl:$key]="${R[$cfg:fl:$key]} — not brotli: $plain"
    printf '%s %s\n' "$url" "$(tr '\n' ' ' <"$WORK/fl.assets")" >>"$OUT/suite-assets-$cfg.txt"
}

# --- one database × size ---------------------------------------------------------
run_config() {
    local db="$1" n="$2" cfg label log i t0 code marker
    case "$n" in
    *000000) label="$((n / 1000000))M" ;;
    *000) label="$((n / 1000))k" ;;
    *) label="$n" ;;
    esac
    cfg="$db-$label"
    CFGS+=("$cfg")
    R[$cfg:db]=$db; R[$cfg:n]=$n
    DB_URL=""
    if [[ -n "$KEEP_DATA" ]]; then DATA="$OUT/suite-data-$db-$n"; else DATA="$WORK/data-$cfg"; fi
    marker="posts=$n db=$db"

    # 1. Generate (or reuse what BENCH_KEEP_DATA kept).
    local reuse=0 pgname
    if [[ "$db" == postgres ]]; then
        if [[ -n "$KEEP_DATA" ]]; then pgname="clinicpress_suite_keep_$n"; else pgname="clinicpress_suite_$$_$n"; fi
        DB_URL="${PG_URL%/*}/$pgname"
        R[$cfg:store]="PostgreSQL $(pg_admin "SHOW server_version" | cut -d' ' -f1)"
    else
        R[$cfg:store]="SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || true)"
        R[$cfg:store]="${R[$cfg:store]% }"
    fi
    if [[ -n "$KEEP_DATA" && -f "$DATA/.generated" && "$(cat "$DATA/.generated")" == "$marker" ]]; then
        if [[ "$db" != postgres ]] || [[ "$(pg_admin "SELECT 1 FROM pg_database WHERE datname = '$pgname'")" == 1 ]]; then reuse=1; fi
    fi
    if ((reuse)); then
        say "[$cfg] reusing the generated data in $DATA${DB_URL:+ and database $pgname}"
        R[$cfg:gen]="reused (BENCH_KEEP_DATA)"
    else
        rm -rf "$DATA"
        mkdir -p "$DATA"
        local gen_url
        if [[ "$db" == postgres ]]; then
            pg_admin "DROP DATABASE IF EXISTS $pgname WITH (FORCE)" >/dev/null
            pg_admin "CREATE DATABASE $pgname" >/dev/null || die "cannot create database $pgname on $PG_URL"
            [[ -n "$KEEP_DATA" ]] || PG_DB=$pgname
            gen_url=$DB_URL
        else
            gen_url="sqlite://$DATA/clinicpress.db?mode=rwc"
        fi
        say "[$cfg] generating $n posts across 5 clinics (search_bench generate)"
        t0=$(now_ns)
        "$EX" generate --database-url "$gen_url" --posts "$n" >"$OUT/suite-generate-$cfg.txt" 2>&1 ||
            { tail -n 20 "$OUT/suite-generate-$cfg.txt" >&2; die "[$cfg] generating $n posts failed"; }
        R[$cfg:gen]="$(awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { printf "%.0f", (b - a) / 1e9 }') s"
        [[ -z "$KEEP_DATA" ]] || printf '%s' "$marker" >"$DATA/.generated"
    fi
    if [[ "$db" == postgres ]]; then
        R[$cfg:dbsize]=$(pg_admin "SELECT round(pg_database_size('$pgname') / 1048576.0)")" MiB"
    else
        R[$cfg:dbsize]=$(du -cb "$DATA"/clinicpress.db* | awk 'END { printf "%.0f MiB", $1 / 1048576 }')
    fi

    # 2. First start on this data: builds the search index unless kept.
    log="$OUT/suite-server-$cfg-first.log"
    say "[$cfg] first start (builds the search index if there is none)"
    start_server "$cfg" "$log"
    R[$cfg:first]="/healthz $HEALTH_MS ms · /readyz $READY_MS ms"
    if grep -q 'search: index built' "$log"; then
        local built span
        built=$(plain_log "$log" | sed -n 's/.*search: index built.*posts=\([0-9]*\).*/\1/p' | head -n 1)
        [[ -z "$built" || "$built" == "$n" ]] || die "[$cfg] the server indexed $built posts, expected $n (log: $log)"
        span=$(log_span_s "$log" 'search: no index yet' 'search: index built')
        R[$cfg:index]="${span:-?} s (log: \"no index yet\" → \"index built\", posts=${built:-?}); /readyz 200 after $(awk -v m="$READY_MS" 'BEGIN { printf "%.1f", m / 1000 }') s"
    else
        R[$cfg:index]="kept from an earlier run (BENCH_KEEP_DATA)"
    fi
    R[$cfg:first_hwm_kb]=$(kb_of "$SERVER_PID" VmHWM)
    stop_server

    # 3. Cold starts of the existing database and index.
    local hs=() rs=()
    for ((i = 1; i <= START_RUNS; i++)); do
        log="$OUT/suite-server-$cfg-start$i.log"
        say "[$cfg] cold start $i/$START_RUNS (existing database and index)"
        start_server "$cfg" "$log"
        hs+=("$HEALTH_MS"); rs+=("$READY_MS")
        if ((i < START_RUNS)); then stop_server; fi
    done
    R[$cfg:cold_h]=$(median "${hs[@]}"); R[$cfg:cold_r]=$(median "${rs[@]}")
    R[$cfg:cold]="/healthz **${R[$cfg:cold_h]} ms** · /readyz **${R[$cfg:cold_r]} ms** (median of $START_RUNS; /healthz ${hs[*]}, /readyz ${rs[*]})"
    log="$OUT/suite-server-$cfg-start$START_RUNS.log" # the server the load runs use

    # 4. The URLs: a post of c1 from the feed; each must answer 200.
    code=$(get /feed.xml "$WORK/feed.xml")
    [[ "$code" == 200 ]] || die "[$cfg] GET /feed.xml answered '$code' (log: $log)"
    local slug
    slug=$(sed -n '/<item\|<entry/,$p' "$WORK/feed.xml" | grep -oE '/blog/[a-z0-9][a-z0-9-]*' | head -n 1 | sed 's#^/blog/##') || true
    [[ -n "$slug" ]] || die "[$cfg] no post link in /feed.xml"
    R[$cfg:slug]=$slug
    local -a keys=(home post list search feed)
    declare -A U=([home]="/" [post]="/blog/$slug" [list]="/blog?page=3" [search]="/search?$QUERY_QS" [feed]="/feed.xml")
    local k state
    for k in "${keys[@]}"; do
        code=$(get "${U[$k]}" "$WORK/page.html")
        [[ "$code" == 200 ]] || die "[$cfg] GET ${U[$k]} answered '$code', expected 200 (log: $log)"
        # The second answer says whether wrk will see kept pages.
        state=$(curl -s -o /dev/null -D - -H "$HOST_HDR" --max-time 60 "$BASE${U[$k]}" |
            awk -F': *' 'tolower($1) == "x-page-cache" { gsub(/\r/, "", $2); print $2 }')
        R[$cfg:$k:cache]=${state:-none}
    done
    get "/blog/$slug" "$OUT/suite-post-$cfg.html" >/dev/null
    get "/" "$OUT/suite-home-$cfg.html" >/dev/null
    local total
    total=$(curl -s --max-time 60 -H "$HOST_HDR" "$BASE/api/v1/search?$QUERY_QS" | grep -oE '"total":[0-9]+' | head -n 1 | cut -d: -f2) || true
    R[$cfg:hits]=${total:-?}
    [[ "${total:-0}" -gt 0 ]] || say "[$cfg] WARNING: the search '$QUERY' finds nothing on c1: the search row measures an empty result"

    # 5. Load: the GET pages (fail on any error), then the leads.
    for k in "${keys[@]}"; do
        measure "$cfg" "$k" "$SERVER_PID" 1 "$BASE${U[$k]}" -H "$HOST_HDR"
    done
    # The post page as browsers ask for it: compressed. It has a request
    # form, so each answer carries a token of its own and is compressed on
    # the way out (pages without forms are kept compressed).
    measure "$cfg" post-br "$SERVER_PID" 1 "$BASE${U[post]}" -H "$HOST_HDR" -H "Accept-Encoding: br, gzip"
    # Every lead a new visitor; run numbers from the clock, so kept data
    # (BENCH_KEEP_DATA) does not meet the per-address limits of an earlier run.
    local run0=$((($(date +%s) / 60) % 100000 * 2))
    mkdir -p "$WORK/leads-$cfg"
    code=$(curl -s -o "$WORK/lead.json" --max-time 10 -H "$HOST_HDR" -H 'Content-Type: application/json' \
        -H 'X-Forwarded-For: 192.0.2.1' -w '%{http_code}' "$BASE/api/v1/leads" \
        --data '{"kind":"contact","name":"Suite","email":"suite-'"$$"'-'"$RANDOM"'@example.com","contact_method":"email","message":"Hello.","consent":true,"office":"'"$LEADS_OFFICE"'"}' || true)
    [[ "$code" == 201 ]] || { cat "$WORK/lead.json" >&2; die "[$cfg] POST /api/v1/leads answered '$code', expected 201 (log: $log)"; }
    say "[$cfg] leads: warm-up $WARMUP, then $DURATION with $CONNECTIONS connections"
    LEADS_RUN=$run0 LEADS_OUT="$WORK/leads-$cfg" LEADS_THREADS=$THREADS LEADS_OFFICE=$LEADS_OFFICE \
        run_wrk "$WORK/warmup.txt" -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$LEADS_LUA" -H "$HOST_HDR" "$BASE/" ||
        die "[$cfg] wrk failed (leads warm-up)"
    local m0 m1 s0 s1 c0 c1 w0 w1 parsed rps p50 p99 ltotal non2xx sockerr acked wall out="$OUT/suite-wrk-$cfg-leads.txt"
    m0=$(machine_busy_ms); s0=$(proc_cpu_ms "$SERVER_PID"); children_cpu_ms; c0=$CHILD_MS; w0=$(now_ns)
    LEADS_RUN=$((run0 + 1)) LEADS_OUT="$WORK/leads-$cfg" LEADS_THREADS=$THREADS LEADS_OFFICE=$LEADS_OFFICE \
        run_wrk "$out" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LEADS_LUA" -H "$HOST_HDR" "$BASE/" ||
        { cat "$out" >&2; die "[$cfg] wrk failed (leads)"; }
    w1=$(now_ns); s1=$(proc_cpu_ms "$SERVER_PID"); children_cpu_ms; c1=$CHILD_MS; m1=$(machine_busy_ms)
    kill -0 "$SERVER_PID" 2>/dev/null || die "[$cfg] the server died during the leads load (log: $log)"
    parsed=$(parse_wrk <"$out") || { cat "$out" >&2; die "[$cfg] cannot parse the wrk output (leads)"; }
    read -r rps p50 p99 ltotal non2xx sockerr _ <<<"$parsed"
    acked=$(cat "$WORK/leads-$cfg"/refs-$((run0 + 1))-*.txt 2>/dev/null | grep -c . || true)
    wall=$(((w1 - w0) / 1000000))
    R[$cfg:leads:rps]=$rps; R[$cfg:leads:p50]=$p50; R[$cfg:leads:p99]=$p99
    R[$cfg:leads:err]="$non2xx / $sockerr"
    R[$cfg:leads:acked]=$acked
    R[$cfg:leads:statuses]=$(cat "$WORK/leads-$cfg"/other-$((run0 + 1))-*.txt 2>/dev/null | sort | uniq -c | awk '{ printf "%s%s × %s", (NR > 1 ? ", " : ""), $1, $2 }')
    R[$cfg:leads:cpu]=$(awk -v c="$((s1 - s0))" -v t="$ltotal" 'BEGIN { printf "%.2f", (t > 0 ? c / t : 0) }')
    R[$cfg:leads:other]=$(pct "$((m1 - m0 - (s1 - s0) - (c1 - c0)))" "$wall")
    R[$cfg:leads:wrkcpu]=$(pct "$((c1 - c0))" "$wall")
    say "[$cfg] leads: $rps req/s ($acked acknowledged), p50 $p50 ms, p99 $p99 ms, non-2xx/socket errors $non2xx / $sockerr"

    # 6. Memory after all of it.
    R[$cfg:hwm_kb]=$(kb_of "$SERVER_PID" VmHWM)
    R[$cfg:rss_kb]=$(kb_of "$SERVER_PID" VmRSS)

    # 7. What a first visit downloads (brotli, as the server sends it).
    rm -f "$OUT/suite-assets-$cfg.txt"
    for k in home post list search; do
        first_load "$cfg" "$k" "${U[$k]}"
    done
    stop_server

    # 8. The cacheable pages again with the page cache off: the cost of rendering.
    if [[ "$UNCACHED" == 1 ]]; then
        say "[$cfg] restarting with the page cache off (CLINICPRESS_PAGE_CACHE_MB=0)"
        start_server "$cfg" "$OUT/suite-server-$cfg-nocache.log" CLINICPRESS_PAGE_CACHE_MB=0
        for k in home post list search; do
            code=$(get "${U[$k]}" "$WORK/page.html")
            [[ "$code" == 200 ]] || die "[$cfg] GET ${U[$k]} answered '$code' with the page cache off"
            measure "$cfg" "$k-nocache" "$SERVER_PID" 1 "$BASE${U[$k]}" -H "$HOST_HDR"
        done
        R[$cfg:hwm_nocache_kb]=$(kb_of "$SERVER_PID" VmHWM)
        stop_server
    fi

    if [[ "$db" == postgres && -z "$KEEP_DATA" ]]; then
        pg_admin "DROP DATABASE IF EXISTS $pgname WITH (FORCE)" >/dev/null
        PG_DB=""
    fi
    [[ -n "$KEEP_DATA" ]] || rm -rf "$DATA"
}

for db in $DBS; do
    for n in $SIZES; do
        run_config "$db" "$n"
    done
done

# --- nginx: the same HTML as a static file -----------------------------------------
FIRST_CFG=${CFGS[0]}
NGX="$WORK/nginx"
mkdir -p "$NGX/www" "$NGX/tmp" "$NGX/logs"
cp "$OUT/suite-post-$FIRST_CFG.html" "$NGX/www/post.html"
cp "$OUT/suite-home-$FIRST_CFG.html" "$NGX/www/home.html"
NGX_USER=nobody
if id www-data >/dev/null 2>&1; then NGX_USER=www-data; fi
chmod 755 "$WORK" "$NGX" "$NGX/www"
chmod 644 "$NGX/www"/*.html
NGX_PORT=$((PORT + 1))
while port_in_use "$NGX_PORT"; do NGX_PORT=$((NGX_PORT + 1)); done
# Debian's stock nginx.conf (sendfile, tcp_nopush, gzip on, worker_connections
# 768), worker_processes 2 (= auto on 2 cores), the access log off as the
# server's request log is off, and a minimal server block on loopback.
cat >"$NGX/nginx.conf" <<EOF
$( ((EUID == 0)) && echo "user $NGX_USER;")
worker_processes 2;
daemon off;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events {
    worker_connections 768;
}
http {
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    gzip on;
    client_body_temp_path $NGX/tmp/body;
    proxy_temp_path $NGX/tmp/proxy;
    fastcgi_temp_path $NGX/tmp/fastcgi;
    uwsgi_temp_path $NGX/tmp/uwsgi;
    scgi_temp_path $NGX/tmp/scgi;
    server {
        listen 127.0.0.1:$NGX_PORT;
        server_name _;
        root $NGX/www;
    }
}
EOF
cp "$NGX/nginx.conf" "$OUT/suite-nginx.conf"
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's#.*nginx/##')
say "nginx $NGINX_VERSION on 127.0.0.1:$NGX_PORT (config: bench/out/suite-nginx.conf)"
"$NGINX" -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" 2>"$OUT/suite-nginx.log" &
NGINX_PID=$!
for ((i = 0; i < 200; i++)); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGX_PORT/post.html" 2>/dev/null || true)" == 200 ]] && break
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$OUT/suite-nginx.log" "$NGX/logs/error.log" >&2 2>/dev/null; die "nginx did not start"; }
    sleep 0.05
done
cmp -s <(curl -s "http://127.0.0.1:$NGX_PORT/post.html") "$NGX/www/post.html" || die "nginx does not serve the saved post page"
measure nginx home "$NGINX_PID" 1 "http://127.0.0.1:$NGX_PORT/home.html"
measure nginx post "$NGINX_PID" 1 "http://127.0.0.1:$NGX_PORT/post.html"
measure nginx post-gz "$NGINX_PID" 1 "http://127.0.0.1:$NGX_PORT/post.html" -H "Accept-Encoding: gzip"
stop_nginx
POST_BYTES=$(stat -c %s "$NGX/www/post.html")
HOME_BYTES=$(stat -c %s "$NGX/www/home.html")

# --- report ----------------------------------------------------------------------
CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
GIT_REV=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then GIT_REV="$GIT_REV+dirty"; fi
BIN_MTIME=$(date -u -r "$BIN" '+%Y-%m-%d %H:%M UTC')
ELAPSED_MIN=$(awk -v a="$STARTED_NS" -v b="$(now_ns)" 'BEGIN { printf "%.0f", (b - a) / 6e10 }')

mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k * 1024 / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
meets() { # meets VALUE OP LIMIT -> meets / MISSES
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { ok = (op == "<") ? (v + 0 < l + 0) : (v + 0 >= l + 0); print ok ? "meets" : "**MISSES**" }'
}

declare -A NAME=([home]="\`/\`" [post]="\`/blog/{slug}\`" [list]="\`/blog?page=3\`" [search]="\`/search?$QUERY_QS\`" [feed]="\`/feed.xml\`" [leads]="\`POST /api/v1/leads\`")

report() {
    local c cols=() sep="|---|" k
    for c in "${CFGS[@]}"; do cols+=("$c"); sep="$sep---|"; done
    printf '### Clinicpress benchmark suite — %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'Machine: %s cores, %s, %s · load average at start %s · commit %s · binary built %s · wrk %s threads × %s connections, %s per URL after a %s warm-up, server and wrk on the same host, `Host: %s` (clinic c1 of `search_bench generate`), no `Accept-Encoding` (uncompressed, as nginx serves it) · server: `clinicpress serve --trust-proxy --log %s` (page cache on, its default size) · suite took %s min\n\n' \
        "$(nproc)" "${CPU_MODEL:-unknown}" "$(uname -sr)" "$LOADAVG_START" "$GIT_REV" "$BIN_MTIME" "$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP" "$HOST_NAME" "$LOG_FILTER" "$ELAPSED_MIN"
    printf '| Measure |'; printf ' %s |' "${cols[@]}"; printf ' nginx %s (static file) |\n%s---|\n' "$NGINX_VERSION" "$sep"
    row() { # row LABEL FUNCTION [NGINX-CELL]
        printf '| %s |' "$1"
        for c in "${CFGS[@]}"; do printf ' %s |' "$($2 "$c")"; done
        printf ' %s |\n' "${3:-—}"
    }
    f() { printf '%s' "${R[$1:$K]}"; }
    f_store() { printf '%s, %s posts' "${R[$1:store]}" "${R[$1:n]}"; }
    K=gen; row "Generate the posts (set-up, not a measure)" f
    K=dbsize; row "Database size" f
    row "Store" f_store
    K=first; row "First start (no index yet): launch → 200" f
    K=index; row "Index build (first start)" f
    K=cold; row "Cold start of the existing database and index: launch → 200" f
    for k in home post list search feed leads; do
        f_rps() { local extra=""
            if [[ $K2 == home || $K2 == post ]]; then extra=" (**$(ratio "${R[$1:$K2:rps]}" "${R[nginx:$K2:rps]}")×** nginx)"; fi
            if [[ $K2 == leads ]]; then extra=" (${R[$1:leads:acked]} leads acknowledged)"; fi
            printf '%s%s' "${R[$1:$K2:rps]}" "$extra"; }
        f_lat() { printf '%s / **%s**' "${R[$1:$K2:p50]}" "${R[$1:$K2:p99]}"; }
        K2=$k
        local ng_rps="—" ng_lat="—"
        if [[ $k == home || $k == post ]]; then ng_rps=${R[nginx:$k:rps]}; ng_lat="${R[nginx:$k:p50]} / **${R[nginx:$k:p99]}**"; fi
        row "${NAME[$k]} requests/s" f_rps "$ng_rps"
        row "${NAME[$k]} p50 / p99 (ms)" f_lat "$ng_lat"
    done
    f_br() { printf '%s (**%s×** nginx) · %s / **%s** · %s ms CPU' "${R[$1:post-br:rps]}" "$(ratio "${R[$1:post-br:rps]}" "${R[nginx:post-gz:rps]}")" \
        "${R[$1:post-br:p50]}" "${R[$1:post-br:p99]}" "${R[$1:post-br:cpu]}"; }
    row "${NAME[post]} compressed, as browsers ask (\`br, gzip\`; nginx: gzip per answer) requests/s · p50 / p99 (ms) · CPU per request" f_br \
        "${R[nginx:post-gz:rps]} · ${R[nginx:post-gz:p50]} / **${R[nginx:post-gz:p99]}** · ${R[nginx:post-gz:cpu]} ms CPU"
    f_err() { local k2 s=""
        for k2 in home post list search feed leads; do s="$s${s:+ · }${R[$1:$k2:err]}"; done
        [[ -z "${R[$1:leads:statuses]}" ]] || s="$s (leads: ${R[$1:leads:statuses]})"
        printf '%s' "$s"; }
    row "Non-2xx / socket errors: / · post · list · search · feed · leads" f_err "${R[nginx:home:err]} · ${R[nginx:post:err]}"
    f_cache() { local k2 s=""
        for k2 in home post list search feed; do s="$s${s:+ · }${R[$1:$k2:cache]}"; done
        printf '%s' "$s"; }
    row "\`X-Page-Cache\` on a repeated GET: / · post · list · search · feed" f_cache
    f_cpu() { local k2 s=""
        for k2 in home post list search feed leads; do s="$s${s:+ · }${R[$1:$k2:cpu]}"; done
        printf '%s' "$s"; }
    row "Server CPU per request (ms): / · post · list · search · feed · leads" f_cpu "${R[nginx:home:cpu]} · ${R[nginx:post:cpu]} (master and workers)"
    if [[ "$UNCACHED" == 1 ]]; then
        for k in home post list search; do
            f_nc() { printf '%s req/s · %s / **%s** ms · %s ms CPU' "${R[$1:$K2-nocache:rps]}" "${R[$1:$K2-nocache:p50]}" "${R[$1:$K2-nocache:p99]}" "${R[$1:$K2-nocache:cpu]}"; }
            K2=$k; row "Page cache off: ${NAME[$k]} requests/s · p50 / p99 · CPU per request" f_nc
        done
    fi
    f_busy() { local k2 s="" max=0 v keys=(home post list search feed leads)
        if [[ "$UNCACHED" == 1 ]]; then keys+=(home-nocache post-nocache list-nocache search-nocache); fi
        for k2 in "${keys[@]}"; do v=${R[$1:$k2:other]}; ((v > max)) && max=$v; done
        s="max ${max}%"
        ((max > BUSY_PCT)) && s="$s — **machine busy with other work: figures are pessimistic**"
        printf '%s' "$s"; }
    local ngb=$((R[nginx:home:other] > R[nginx:post:other] ? R[nginx:home:other] : R[nginx:post:other]))
    row "CPU of other processes during the measured runs (% of one core)" f_busy "max ${ngb}%"
    f_wrk() { local k2 s=""
        for k2 in home post list search feed leads; do s="$s${s:+ · }${R[$1:$k2:wrkcpu]}"; done
        printf '%s' "$s"; }
    row "CPU of wrk (% of one core): / · post · list · search · feed · leads" f_wrk "${R[nginx:home:wrkcpu]} · ${R[nginx:post:wrkcpu]}"
    f_hwm() { local s
        s="**$(mb "${R[$1:hwm_kb]}")** serving (after all runs; RSS then $(mb "${R[$1:rss_kb]}")) · $(mb "${R[$1:first_hwm_kb]}") first start"
        [[ -z "${R[$1:hwm_nocache_kb]:-}" ]] || s="$s · $(mb "${R[$1:hwm_nocache_kb]}") page cache off"
        printf '%s' "$s"; }
    row "Peak RSS (VmHWM)" f_hwm
    for k in post home list search; do
        f_fl() { printf '%s' "${R[$1:fl:$K2]}"; }
        K2=$k; row "First load of ${NAME[$k]}, brotli on the wire (KB = 1000 bytes; files)" f_fl
    done
    f_slug() { printf '`%s` (%s hits for "%s")' "${R[$1:slug]}" "${R[$1:hits]}" "$QUERY"; }
    row "Post measured; search hits" f_slug
    printf '\n'
    printf 'nginx: %s on 127.0.0.1 (config in bench/out/suite-nginx.conf: Debian'"'"'s stock `http` settings — sendfile on, tcp_nopush on, gzip on, worker_connections 768 — with worker_processes 2, access_log off, one `server` with a `root`), serving the HTML %s sent without `Accept-Encoding`: the post page (%s bytes) and home (%s bytes), measured once with the same wrk settings. Ratios are the server'"'"'s requests/s over nginx'"'"'s.\n\n' \
        "$NGINX_VERSION" "$FIRST_CFG" "$POST_BYTES" "$HOME_BYTES"

    # Targets.
    printf 'Targets:\n\n'
    local v r
    for c in "${CFGS[@]}"; do
        for k in post home; do
            r=$(ratio "${R[$c:$k:rps]}" "${R[nginx:$k:rps]}")
            printf -- '- %s %s: ≥ %s× nginx requests/s: %s (%s×) · p99 < %s ms: %s (%s ms)\n' "$c" "${NAME[$k]}" "$AIM_RATIO" \
                "$(meets "$r" '>=' "$AIM_RATIO")" "$r" "$AIM_PAGE_P99_MS" "$(meets "${R[$c:$k:p99]}" '<' "$AIM_PAGE_P99_MS")" "${R[$c:$k:p99]}"
        done
        printf -- '- %s leads p99 < %s ms: %s (%s ms)\n' "$c" "$AIM_LEADS_P99_MS" "$(meets "${R[$c:leads:p99]}" '<' "$AIM_LEADS_P99_MS")" "${R[$c:leads:p99]}"
        printf -- '- %s post page first load < %s KB: %s (%s bytes)\n' "$c" "$((AIM_FIRST_LOAD_B / 1000))" \
            "$(meets "${R[$c:fl:post:total]}" '<' "$AIM_FIRST_LOAD_B")" "${R[$c:fl:post:total]}"
        if [[ "${R[$c:n]}" == "$AIM_SIZE" ]]; then
            if [[ "$UNCACHED" == 1 ]]; then
                printf -- '- %s search p99 < %s ms (page cache off, so the search runs): %s (%s ms; with the page cache on %s ms)\n' "$c" "$AIM_SEARCH_P99_MS" \
                    "$(meets "${R[$c:search-nocache:p99]}" '<' "$AIM_SEARCH_P99_MS")" "${R[$c:search-nocache:p99]}" "${R[$c:search:p99]}"
            else
                printf -- '- %s search p99 < %s ms (page cache on: a repeated query is a kept page): %s (%s ms)\n' "$c" "$AIM_SEARCH_P99_MS" \
                    "$(meets "${R[$c:search:p99]}" '<' "$AIM_SEARCH_P99_MS")" "${R[$c:search:p99]}"
            fi
            printf -- '- %s cold start < %s ms: to /healthz %s (%s ms) · to /readyz %s (%s ms)\n' "$c" "$AIM_COLD_MS" \
                "$(meets "${R[$c:cold_h]}" '<' "$AIM_COLD_MS")" "${R[$c:cold_h]}" "$(meets "${R[$c:cold_r]}" '<' "$AIM_COLD_MS")" "${R[$c:cold_r]}"
            v=${R[$c:hwm_kb]}
            ((R[$c:first_hwm_kb] > v)) && v=${R[$c:first_hwm_kb]}
            printf -- '- %s peak RSS < %s MB (the larger of serving and first start): %s (%s)\n' "$c" "$AIM_RSS_MB" \
                "$(meets "$(awk -v k="$v" 'BEGIN { print k * 1024 / 1e6 }')" '<' "$AIM_RSS_MB")" "$(mb "$v")"
        fi
    done
    if [[ " $SIZES " != *" $AIM_SIZE "* ]]; then
        printf -- '- search p99, cold start and peak RSS are targets at %s posts, which this run did not measure (BENCH_SUITE_SIZES="%s")\n' "$AIM_SIZE" "$SIZES"
    fi
}

report | tee "$OUT/suite-latest.md"
say "written to bench/out/suite-latest.md; raw wrk output, server logs, the saved HTML and the nginx config in bench/out/suite-*"
