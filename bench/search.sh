#!/usr/bin/env bash
# Clinicpress search benchmark: for 10k and 100k generated posts across five
# clinics, the full reindex time and memory, the index size, in-process search
# latency for 50 fixed queries, and HTTP latency/throughput under wrk.
# Run from anywhere: `bench/search.sh`. See bench/README.md.
#
# Knobs (environment):
#   BENCH_SKIP_BUILD=1          use the existing target/release/clinicpress and examples/search_bench
#   BENCH_SEARCH_SIZES="10000 100000"   post counts to measure, in order
#   BENCH_SEARCH_REPS=20        timed in-process runs of each query
#   BENCH_DURATION=10s          measured wrk run per endpoint (32 connections)
#   BENCH_WARMUP=2s             unrecorded wrk run before each measured one
#   BENCH_SINGLE_DURATION=5s    wrk run with one connection (latency without queueing)
#   BENCH_PORT=3900             loopback port for the server (default: first free from 3900)
#   BENCH_KEEP_DATA=1           keep the generated data in bench/out/search-data-N and reuse it next time
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

SIZES="${BENCH_SEARCH_SIZES:-10000 100000}"
REPS="${BENCH_SEARCH_REPS:-20}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-2s}"
SINGLE_DURATION="${BENCH_SINGLE_DURATION:-5s}"
KEEP_DATA="${BENCH_KEEP_DATA:-}"
THREADS=2
CONNECTIONS=32
HOST_NAME="c1.localhost"
ENDPOINTS=("/search" "/api/v1/search")
AIM_SIZE=100000
AIM_REINDEX_S=30
AIM_P99_MS=5
BUSY_PCT=25 # other processes above this share of one core flag the figures

BIN="$ROOT/target/release/clinicpress"
EX="$ROOT/target/release/examples/search_bench"
OUT="$ROOT/bench/out"
QUERIES="$ROOT/bench/queries.txt"
LUA="$ROOT/bench/search.lua"
URLS="$OUT/search-urls.txt"
GNU_TIME=/usr/bin/time

# --- prerequisites -----------------------------------------------------------
command -v wrk >/dev/null 2>&1 || die "wrk is not installed (Debian/Ubuntu: apt-get install wrk)"
command -v curl >/dev/null 2>&1 || die "curl is not installed (apt-get install curl)"
command -v awk >/dev/null 2>&1 || die "awk is not installed"
[[ -x "$GNU_TIME" ]] && "$GNU_TIME" -v true >/dev/null 2>&1 ||
    die "GNU time is missing at $GNU_TIME (Debian/Ubuntu: apt-get install time); it measures the reindex's peak memory"
[[ -f "$QUERIES" ]] || die "missing $QUERIES"
[[ -f "$LUA" ]] || die "missing $LUA"
for n in $SIZES; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SEARCH_SIZES must be positive integers (got '$n')"
done
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SEARCH_REPS must be a positive integer (got '$REPS')"
for d in "$DURATION" "$WARMUP" "$SINGLE_DURATION"; do
    [[ "$d" =~ ^[0-9]+[smh]?$ ]] || die "durations must look like 10s, 30s or 1m (got '$d')"
done
mkdir -p "$OUT"
rm -f "$OUT"/search-*.txt "$OUT"/search-*.log "$OUT"/search-*.md "$OUT"/search-*.time "$OUT"/search-*.rss

# --- state + cleanup -----------------------------------------------------------
SERVER_PID=""
WRK_PID=""
REINDEX_PID=""
REINDEX_CHILD=""
WORK="$(mktemp -d "${TMPDIR:-/tmp}/clinicpress-search-bench.XXXXXX")"

cleanup() {
    local rc=$?
    if [[ -n "$WRK_PID" ]]; then kill -TERM "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" 2>/dev/null || true; fi
    if [[ -n "$REINDEX_CHILD" ]]; then kill -TERM "$REINDEX_CHILD" 2>/dev/null || true; fi
    if [[ -n "$REINDEX_PID" ]]; then kill -TERM "$REINDEX_PID" 2>/dev/null || true; wait "$REINDEX_PID" 2>/dev/null || true; fi
    stop_server
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build -----------------------------------------------------------------------
if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
    say "building the release binary and the benchmark helper (cargo build --release --locked)"
    cargo build --release --locked -p clinicpress --bin clinicpress --example search_bench >&2
else
    say "BENCH_SKIP_BUILD=1: using the existing build"
fi
[[ -x "$BIN" ]] || die "no release binary at $BIN (run without BENCH_SKIP_BUILD=1)"
[[ -x "$EX" ]] || die "no benchmark helper at $EX (run without BENCH_SKIP_BUILD=1)"
# Search answers are rendered on the server; the browser bundle only matters
# to a browser. Without target/site the pages still render (the server logs a
# warning), with links to CSS/JS that would 404 — wrk never follows them.
if [[ -d "$ROOT/target/site/pkg" ]]; then
    SITE_NOTE="site assets present (target/site)"
else
    SITE_NOTE="no target/site (built with plain cargo, not cargo leptos): pages render the same HTML, their CSS/JS links are not fetched by wrk"
fi

"$EX" urls --queries "$QUERIES" >"$URLS" || die "cannot read $QUERIES"
NQ=$(grep -c . "$URLS")
say "$NQ queries from bench/queries.txt"

# --- port ------------------------------------------------------------------------
choose_port
BASE="http://127.0.0.1:$PORT"
HOST_HDR="Host: $HOST_NAME:$PORT"
LOADAVG_START=$(cut -d" " -f1-3 /proc/loadavg)

# --- helpers ---------------------------------------------------------------------

# result_field FILE KEY: the value of KEY=… on the file's RESULT line
result_field() {
    awk -v k="$2" '$1 == "RESULT" { for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == k) { print a[2]; found = 1 } } }
        END { if (!found) exit 1 }' "$1" || die "no $2 in $1"
}

start_server() { # start_server DATA_DIR LOG
    local data="$1" log="$2" deadline code
    port_in_use "$PORT" && die "port $PORT became busy before starting the server (another process?)"
    env -u DATABASE_URL NO_COLOR=1 CLINICPRESS_DATA="$data" CLINICPRESS_ADDR="127.0.0.1:$PORT" \
        "$BIN" serve 2>"$log" >/dev/null &
    SERVER_PID=$!
    wait_healthy "$log"
    # The server must use the index `reindex` built, not start building its own.
    if grep -Eq 'search: (no index yet|the index could not be opened)' "$log"; then
        tail -n 30 "$log" >&2
        die "the server did not open the rebuilt index (log: $log)"
    fi
}


other_pct() { # other_pct CPU_MS WALL_MS -> % of one core used by other processes (>= 0)
    awk -v o="$1" -v w="$2" 'BEGIN { if (o < 0) o = 0; printf "%.0f", (w > 0 ? o * 100 / w : 0) }'
}

run_wrk() { # run_wrk OUTFILE ENDPOINT WRK-ARGS...
    local out="$1" endpoint="$2" rc=0
    shift 2
    SEARCH_URLS="$URLS" SEARCH_PATH="$endpoint" wrk -s "$LUA" -H "$HOST_HDR" "$@" "$BASE/" >"$out" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || rc=$?
    WRK_PID=""
    return "$rc"
}

elapsed_s() { # GNU time's "m:ss.cc" or "h:mm:ss" -> seconds
    awk -F: '{ if (NF == 3) printf "%.2f\n", $1 * 3600 + $2 * 60 + $3; else printf "%.2f\n", $1 * 60 + $2 }' <<<"$1"
}

declare -A R # results, keyed "N:name"

# --- one size --------------------------------------------------------------------
run_size() {
    local n="$1" data url gen_out t0 t1 log c0 c1
    if [[ -n "$KEEP_DATA" ]]; then data="$OUT/search-data-$n"; else data="$WORK/data-$n"; fi
    url="sqlite://$data/clinicpress.db?mode=rwc"

    # 1. Generate (or reuse what BENCH_KEEP_DATA kept).
    gen_out="$OUT/search-generate-$n.txt"
    if [[ -n "$KEEP_DATA" && -f "$data/.generated" && "$(cat "$data/.generated")" == "posts=$n" ]]; then
        say "[$n] reusing the generated data in $data"
        R[$n:gen]="reused"
        R[$n:words]=$(cat "$data/.words" 2>/dev/null || echo "?")
    else
        rm -rf "$data"
        mkdir -p "$data"
        say "[$n] generating $n posts across 5 clinics (SQLite, batches of 1000)"
        t0=$(now_ns)
        "$EX" generate --database-url "$url" --posts "$n" 2>&1 | tee "$gen_out" | sed 's/^/    /' >&2 ||
            die "generating $n posts failed (output in $gen_out)"
        t1=$(now_ns)
        R[$n:gen]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f s", (b - a) / 1e9 }')
        R[$n:words]=$(result_field "$gen_out" avg_words)
        if [[ -n "$KEEP_DATA" ]]; then
            printf 'posts=%s' "$n" >"$data/.generated"
            printf '%s' "${R[$n:words]}" >"$data/.words"
        fi
    fi
    R[$n:db]=$(du -cb "$data"/clinicpress.db* | awk 'END { printf "%.0f MiB", $1 / 1048576 }')

    # 2. Full reindex with the real CLI, timed, peak memory by GNU time. A
    # sampler splits the resident memory (every 0.1 s) into anonymous memory
    # (heap: the writer's budget, buffers) and file-backed pages (the
    # memory-mapped index and SQLite, which the kernel can drop).
    say "[$n] clinicpress reindex"
    sync
    local tfile="$OUT/search-reindex-$n.time" rout="$OUT/search-reindex-$n.txt" m0 m1 w0 w1 jobms
    local tpid cpid="" anon file max_anon=0 max_file=0 rc=0 rssfile="$OUT/search-reindex-$n.rss"
    printf 'ms\tanon_kb\tfile_kb\n' >"$rssfile"
    m0=$(machine_busy_ms); w0=$(now_ns)
    "$GNU_TIME" -v -o "$tfile" env -u DATABASE_URL NO_COLOR=1 "$BIN" --data-dir "$data" reindex >"$rout" 2>&1 &
    tpid=$!
    REINDEX_PID=$tpid
    while kill -0 "$tpid" 2>/dev/null; do
        if [[ -z "$cpid" ]]; then
            cpid=$(pgrep -P "$tpid" 2>/dev/null | head -n 1 || true)
            REINDEX_CHILD=$cpid
        fi
        if [[ -n "$cpid" ]]; then
            read -r anon file < <(awk '$1 == "RssAnon:" { a = $2 } $1 == "RssFile:" { f = $2 } END { print a + 0, f + 0 }' \
                "/proc/$cpid/status" 2>/dev/null || echo "0 0") || true
            printf '%s\t%s\t%s\n' "$((($(now_ns) - w0) / 1000000))" "${anon:-0}" "${file:-0}" >>"$rssfile"
            if ((${anon:-0} > max_anon)); then max_anon=$anon; fi
            if ((${file:-0} > max_file)); then max_file=$file; fi
        fi
        sleep 0.1
    done
    wait "$tpid" || rc=$?
    REINDEX_PID=""
    REINDEX_CHILD=""
    ((rc == 0)) || { cat "$rout" >&2; die "clinicpress reindex failed for $n posts (exit $rc)"; }
    R[$n:reindex_anon]=$((max_anon / 1024))
    R[$n:reindex_file]=$((max_file / 1024))
    local indexed self wall rss cpu
    read -r indexed self < <(sed -n 's/^indexed \([0-9]*\) published post(s) in \([0-9.]*\) s.*/\1 \2/p' "$rout") || true
    [[ -n "${indexed:-}" ]] || { cat "$rout" >&2; die "cannot read the reindex output"; }
    [[ "$indexed" == "$n" ]] || die "reindex indexed $indexed posts, expected $n"
    wall=$(elapsed_s "$(sed -n 's/.*Elapsed (wall clock) time ([^)]*): *//p' "$tfile")")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tfile")
    cpu=$(sed -n 's/.*Percent of CPU this job got: *//p' "$tfile")
    R[$n:reindex_s]=$wall
    R[$n:reindex_self]=$self
    R[$n:reindex_rss]=$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')
    R[$n:reindex_cpu]=$cpu
    m1=$(machine_busy_ms); w1=$(now_ns)
    jobms=$(awk -F': *' '/User time \(seconds\)|System time \(seconds\)/ { t += $2 } END { printf "%d", t * 1000 }' "$tfile")
    R[$n:reindex_other]=$(other_pct "$((m1 - m0 - jobms))" "$(((w1 - w0) / 1000000))")
    say "[$n] indexed $indexed posts: ${wall} s wall (CLI: ${self} s), peak RSS ${R[$n:reindex_rss]} MiB, CPU $cpu"

    # 3. In-process latency.
    say "[$n] in-process: $NQ queries × $REPS runs"
    local qout="$OUT/search-inprocess-$n.txt"
    m0=$(machine_busy_ms); children_cpu_ms; c0=$CHILD_MS; w0=$(now_ns)
    "$EX" query --data-dir "$data" --database-url "$url" --queries "$QUERIES" --reps "$REPS" \
        --report "$OUT/search-queries-$n.md" | tee "$qout" | sed 's/^/    /' >&2 ||
        die "the in-process query run failed for $n posts (output in $qout)"
    m1=$(machine_busy_ms); children_cpu_ms; c1=$CHILD_MS; w1=$(now_ns)
    R[$n:query_other]=$(other_pct "$((m1 - m0 - (c1 - c0)))" "$(((w1 - w0) / 1000000))")
    local k
    for k in docs segments body_terms index_bytes match_p50_ms match_p99_ms index_p50_ms index_p99_ms port_p50_ms port_p99_ms port_max_ms \
        zero_hit_queries writer_heap_mib writer_threads; do
        R[$n:$k]=$(result_field "$qout" "$k")
    done
    [[ "${R[$n:docs]}" == "$n" ]] || die "the index holds ${R[$n:docs]} documents, expected $n"

    # 4. Over HTTP.
    log="$OUT/search-server-$n.log"
    say "[$n] starting clinicpress serve on $BASE"
    start_server "$data" "$log"
    local qs code body endpoint
    for endpoint in "${ENDPOINTS[@]}"; do
        while IFS= read -r qs; do
            code=$(curl -s -o "$WORK/body" --max-time 30 -H "$HOST_HDR" -w '%{http_code}' "$BASE$endpoint?$qs" || true)
            [[ "$code" == "200" ]] || die "GET $endpoint?$qs answered '${code:-no response}', expected 200 (log: $log)"
            if [[ "$endpoint" == "/api/v1/search" ]]; then
                grep -q '"total":' "$WORK/body" || die "GET $endpoint?$qs: no \"total\" in the JSON"
            else
                body=$(tr -d '\n' <"$WORK/body")
                [[ "$body" == *'role="search"'* ]] || die "GET $endpoint?$qs: not the search page"
            fi
        done <"$URLS"
    done
    say "[$n] all $NQ queries answer 200 on ${ENDPOINTS[*]}"

    local name s0 s1 parsed rps p50 p99 total non2xx sockerr srv wrkc other
    for endpoint in "${ENDPOINTS[@]}"; do
        name=$(printf '%s' "$endpoint" | sed 's#^/##; s#[^A-Za-z0-9]#_#g')
        say "[$n] wrk $endpoint: warm-up $WARMUP, then $DURATION with $CONNECTIONS connections"
        run_wrk /dev/null "$endpoint" -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" || die "wrk failed (warm-up, $endpoint)"
        m0=$(machine_busy_ms); s0=$(proc_cpu_ms "$SERVER_PID"); children_cpu_ms; c0=$CHILD_MS; w0=$(now_ns)
        run_wrk "$OUT/search-wrk-$n-$name-c$CONNECTIONS.txt" "$endpoint" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency ||
            { cat "$OUT/search-wrk-$n-$name-c$CONNECTIONS.txt" >&2; die "wrk failed on $endpoint"; }
        w1=$(now_ns); s1=$(proc_cpu_ms "$SERVER_PID"); children_cpu_ms; c1=$CHILD_MS; m1=$(machine_busy_ms)
        kill -0 "$SERVER_PID" 2>/dev/null || die "the server died during the load on $endpoint (log: $log)"
        parsed=$(parse_wrk <"$OUT/search-wrk-$n-$name-c$CONNECTIONS.txt") ||
            { cat "$OUT/search-wrk-$n-$name-c$CONNECTIONS.txt" >&2; die "cannot parse the wrk output"; }
        read -r rps p50 p99 total non2xx sockerr _ <<<"$parsed"
        ((total > 0)) || die "wrk made no requests on $endpoint"
        srv=$((s1 - s0)); wrkc=$((c1 - c0)); other=$((m1 - m0 - srv - wrkc)); ((other >= 0)) || other=0
        R[$n:$name:rps]=$rps; R[$n:$name:p50]=$p50; R[$n:$name:p99]=$p99
        R[$n:$name:err]="$non2xx / $sockerr"
        R[$n:$name:cpu_req]=$(awk -v c="$srv" -v t="$total" 'BEGIN { printf "%.2f", c / t }')
        R[$n:$name:other]=$(other_pct "$other" "$(((w1 - w0) / 1000000))")
        R[$n:$name:wrkcpu]=$(awk -v o="$wrkc" -v w="$(((w1 - w0) / 1000000))" 'BEGIN { printf "%.0f", (w > 0 ? o * 100 / w : 0) }')
        ((non2xx == 0)) || die "$non2xx non-2xx answers on $endpoint under load (see $OUT/search-wrk-$n-$name-c$CONNECTIONS.txt, log $log)"

        say "[$n] wrk $endpoint: $SINGLE_DURATION with one connection"
        run_wrk "$OUT/search-wrk-$n-$name-c1.txt" "$endpoint" -t1 -c1 -d"$SINGLE_DURATION" --latency ||
            { cat "$OUT/search-wrk-$n-$name-c1.txt" >&2; die "wrk failed on $endpoint (one connection)"; }
        parsed=$(parse_wrk <"$OUT/search-wrk-$n-$name-c1.txt") || die "cannot parse the wrk output"
        read -r rps p50 p99 total non2xx sockerr _ <<<"$parsed"
        ((non2xx == 0)) || die "$non2xx non-2xx answers on $endpoint (one connection)"
        R[$n:$name:c1p50]=$p50; R[$n:$name:c1p99]=$p99
    done
    R[$n:srv_hwm]=$(awk -v k="$(kb_of "$SERVER_PID" VmHWM)" 'BEGIN { printf "%.0f", k / 1024 }')
    R[$n:srv_rss]=$(awk -v k="$(kb_of "$SERVER_PID" VmRSS)" 'BEGIN { printf "%.0f", k / 1024 }')
    stop_server
    if [[ -z "$KEEP_DATA" ]]; then rm -rf "$data"; fi
}

for n in $SIZES; do
    run_size "$n"
done
read -r FIRST_SIZE _ <<<"$SIZES"

# --- report ----------------------------------------------------------------------
verdict() { awk -v v="$1" -v l="$2" 'BEGIN { print (v + 0 < l + 0) ? "meets" : "MISSES" }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
GIT_REV=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then GIT_REV="$GIT_REV+dirty"; fi
BIN_MTIME=$(date -u -r "$BIN" '+%Y-%m-%d %H:%M UTC')

report() {
    local n cols=() sep="|---|" row
    for n in $SIZES; do cols+=("$n posts"); sep="$sep---|"; done
    printf '### Search benchmark — %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'Machine: %s cores, %s, %s · load average at start %s · commit %s · binary built %s · SQLite · %s queries (bench/queries.txt) on clinic `%s`, 5 clinics · %s\n\n' \
        "$(nproc)" "${CPU_MODEL:-unknown}" "$(uname -sr)" "$LOADAVG_START" "$GIT_REV" "$BIN_MTIME" "$NQ" "$HOST_NAME" "$SITE_NOTE"
    printf '| Measure |'; printf ' %s |' "${cols[@]}"; printf '\n%s\n' "$sep"
    row() { # row LABEL FORMAT-FUNCTION
        printf '| %s |' "$1"
        for n in $SIZES; do printf ' %s |' "$($2 "$n")"; done
        printf '\n'
    }
    f_gen() { printf '%s (avg %s words/post)' "${R[$1:gen]}" "${R[$1:words]}"; }
    f_db() { printf '%s' "${R[$1:db]}"; }
    f_reindex() { printf '**%s s** (CLI reports %s s; CPU %s)' "${R[$1:reindex_s]}" "${R[$1:reindex_self]}" "${R[$1:reindex_cpu]}"; }
    f_rss() { printf '%s MiB (sampled peaks: %s MiB anonymous, %s MiB file-backed)' "${R[$1:reindex_rss]}" "${R[$1:reindex_anon]}" "${R[$1:reindex_file]}"; }
    f_size() { printf '%s (%s segments; %s distinct clinic-scoped terms of the `all` field in the largest)' "$(mib "${R[$1:index_bytes]}")" "${R[$1:segments]}" "${R[$1:body_terms]}"; }
    f_match() { printf '%.2f / %.2f ms' "${R[$1:match_p50_ms]}" "${R[$1:match_p99_ms]}"; }
    f_idx() { printf '%.2f / %.2f ms' "${R[$1:index_p50_ms]}" "${R[$1:index_p99_ms]}"; }
    f_port() { printf '**%.2f / %.2f ms** (max %.2f)' "${R[$1:port_p50_ms]}" "${R[$1:port_p99_ms]}" "${R[$1:port_max_ms]}"; }
    f_zero() { printf '%s of %s' "${R[$1:zero_hit_queries]}" "$NQ"; }
    f_rps_page() { printf '%s req/s' "${R[$1:search:rps]}"; }
    f_lat_page() { printf '%s / %s ms' "${R[$1:search:p50]}" "${R[$1:search:p99]}"; }
    f_c1_page() { printf '%s / %s ms' "${R[$1:search:c1p50]}" "${R[$1:search:c1p99]}"; }
    f_rps_api() { printf '%s req/s' "${R[$1:api_v1_search:rps]}"; }
    f_lat_api() { printf '%s / %s ms' "${R[$1:api_v1_search:p50]}" "${R[$1:api_v1_search:p99]}"; }
    f_c1_api() { printf '%s / %s ms' "${R[$1:api_v1_search:c1p50]}" "${R[$1:api_v1_search:c1p99]}"; }
    f_err() { printf '%s · %s' "${R[$1:search:err]}" "${R[$1:api_v1_search:err]}"; }
    f_cpu() { printf '%s · %s ms' "${R[$1:search:cpu_req]}" "${R[$1:api_v1_search:cpu_req]}"; }
    f_other() { printf 'wrk %s%% · %s%%, other processes %s%% · %s%%' "${R[$1:search:wrkcpu]}" "${R[$1:api_v1_search:wrkcpu]}" "${R[$1:search:other]}" "${R[$1:api_v1_search:other]}"; }
    f_busy() {
        local v note="" x
        v="${R[$1:reindex_other]} · ${R[$1:query_other]} · ${R[$1:search:other]} · ${R[$1:api_v1_search:other]}"
        for x in "${R[$1:reindex_other]}" "${R[$1:query_other]}" "${R[$1:search:other]}" "${R[$1:api_v1_search:other]}"; do
            if ((x > BUSY_PCT)); then note=" — **machine busy with other work: figures are pessimistic**"; fi
        done
        printf '%s %%%s' "$v" "$note"
    }
    f_srv() { printf '%s MiB (RSS after load %s MiB)' "${R[$1:srv_hwm]}" "${R[$1:srv_rss]}"; }
    row "Generate posts (\`search_bench generate\`, not part of the aims)" f_gen
    row "Database size (SQLite + WAL)" f_db
    row "Full reindex, wall clock (\`clinicpress reindex\`)" f_reindex
    row "Reindex peak RSS (GNU time)" f_rss
    row "Index size on disk" f_size
    row "In-process, matching only (count + top 10): p50 / p99" f_match
    row "In-process, \`SearchIndex::search\` (+ facets, snippets, spelling): p50 / p99" f_idx
    row "In-process, server-side (\`SearchPort\`): p50 / p99" f_port
    row "Queries with no result" f_zero
    row "\`/search\` page, $CONNECTIONS connections: throughput" f_rps_page
    row "\`/search\` page, $CONNECTIONS connections: p50 / p99" f_lat_page
    row "\`/search\` page, 1 connection: p50 / p99" f_c1_page
    row "\`/api/v1/search\`, $CONNECTIONS connections: throughput" f_rps_api
    row "\`/api/v1/search\`, $CONNECTIONS connections: p50 / p99" f_lat_api
    row "\`/api/v1/search\`, 1 connection: p50 / p99" f_c1_api
    row "Errors under load, page · API (non-2xx / socket)" f_err
    row "Server CPU per request, page · API" f_cpu
    row "CPU of wrk and of other processes during the $CONNECTIONS-connection runs (% of one core), page · API" f_other
    row "Other processes' CPU during reindex · in-process · page · API runs (% of one core)" f_busy
    row "Server peak RSS (VmHWM) after the load" f_srv
    printf '\n'
    printf 'Index writer: %s MiB memory budget shared by %s indexing threads (`WRITER_HEAP_BYTES`, `WRITER_THREADS` in `search::index`). In-process figures: %s queries × %s timed runs after one untimed run, nearest-rank percentiles over all %s samples (each query is 1/%s of them, so p99 is about the slowest query'"'"'s median: see bench/out/search-queries-N.md); "server-side" is `SearchPort::search` as the page and the API call it (tantivy, snippets, spelling, facet names from the database, the miss log). HTTP figures: wrk %s threads, %s connections, %s after a %s warm-up, cycling through the same queries with `Host: %s`; server and wrk share the machine.\n\n' \
        "${R[$FIRST_SIZE:writer_heap_mib]}" "${R[$FIRST_SIZE:writer_threads]}" "$NQ" "$REPS" "$((NQ * REPS))" "$NQ" "$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP" "$HOST_NAME"
    if [[ " $SIZES " == *" $AIM_SIZE "* ]]; then
        printf 'Aims at %s posts: full reindex < %s s: **%s** (%s s) · server-side p99 < %s ms: **%s** (%.2f ms) · reindex peak RSS %s MiB, of it anonymous %s MiB' \
            "$AIM_SIZE" "$AIM_REINDEX_S" "$(verdict "${R[$AIM_SIZE:reindex_s]}" "$AIM_REINDEX_S")" "${R[$AIM_SIZE:reindex_s]}" \
            "$AIM_P99_MS" "$(verdict "${R[$AIM_SIZE:port_p99_ms]}" "$AIM_P99_MS")" "${R[$AIM_SIZE:port_p99_ms]}" "${R[$AIM_SIZE:reindex_rss]}" "${R[$AIM_SIZE:reindex_anon]}"
        for n in $SIZES; do
            [[ "$n" == "$AIM_SIZE" ]] || printf ' (%s MiB and %s MiB at %s posts)' "${R[$n:reindex_rss]}" "${R[$n:reindex_anon]}" "$n"
        done
        printf '.\n'
    else
        printf 'Aims are stated at %s posts, which this run did not measure (BENCH_SEARCH_SIZES="%s").\n' "$AIM_SIZE" "$SIZES"
    fi
}

report | tee "$OUT/search-latest.md"
say "written to bench/out/search-latest.md; per-query tables in bench/out/search-queries-N.md, raw wrk output, server logs and reindex output in bench/out/search-*"
