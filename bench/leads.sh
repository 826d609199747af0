#!/usr/bin/env bash
# Clinicpress lead-intake benchmark: POST /api/v1/leads under wrk (32
# connections), on SQLite (default `synchronous = NORMAL`, then durable
# `synchronous = FULL`) and on PostgreSQL; acknowledged leads/s, p50/p99
# latency, errors, server CPU per lead; then checks that every acknowledged
# reference is in the database exactly once and that the outbox drained.
# Run from anywhere: `bench/leads.sh`. See bench/README.md.
#
# Knobs (environment):
#   BENCH_SKIP_BUILD=1              use the existing target/release/clinicpress
#   BENCH_LEADS_BACKENDS="sqlite sqlite-full postgres"   what to measure, in order
#   BENCH_DURATION=10s              measured wrk run (32 connections)
#   BENCH_WARMUP=2s                 wrk run before it (its leads are checked too)
#   BENCH_SINGLE_DURATION=5s        wrk run with one connection (latency without queueing)
#   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/postgres   a PostgreSQL server to create the database on
#   BENCH_PORT=3900                 loopback port for the server (default: first free from 3900)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

BACKENDS="${BENCH_LEADS_BACKENDS:-sqlite sqlite-full postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-2s}"
SINGLE_DURATION="${BENCH_SINGLE_DURATION:-5s}"
PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
THREADS=2
CONNECTIONS=32
HOST_NAME="pmc.localhost"
OFFICE="walnut-creek" # one inbox: one office notice per lead
AIM_P99_MS=20
AIM_BACKEND="sqlite-full" # the aim is stated for SQLite with durable commits
BUSY_PCT=25
DRAIN_S=180

BIN="$ROOT/target/release/clinicpress"
OUT="$ROOT/bench/out"
LUA="$ROOT/bench/leads.lua"

# --- prerequisites -----------------------------------------------------------
command -v wrk >/dev/null 2>&1 || die "wrk is not installed (Debian/Ubuntu: apt-get install wrk)"
command -v curl >/dev/null 2>&1 || die "curl is not installed (apt-get install curl)"
[[ -f "$LUA" ]] || die "missing $LUA"
for b in $BACKENDS; do
    case "$b" in
    sqlite | sqlite-full) command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 is not installed (apt-get install sqlite3); it checks the stored leads" ;;
    postgres) command -v psql >/dev/null 2>&1 || die "psql is not installed (apt-get install postgresql-client)" ;;
    *) die "BENCH_LEADS_BACKENDS: unknown backend '$b' (sqlite, sqlite-full, postgres)" ;;
    esac
done
for d in "$DURATION" "$WARMUP" "$SINGLE_DURATION"; do
    [[ "$d" =~ ^[0-9]+[smh]?$ ]] || die "durations must look like 10s, 30s or 1m (got '$d')"
done
mkdir -p "$OUT"
rm -rf "$OUT"/leads-*

# --- state + cleanup -----------------------------------------------------------
SERVER_PID=""
WRK_PID=""
PG_DB=""
WORK="$(mktemp -d "${TMPDIR:-/tmp}/clinicpress-leads-bench.XXXXXX")"

pg_admin() { psql "$PG_URL" -v ON_ERROR_STOP=1 -qAtc "$1"; }

cleanup() {
    local rc=$?
    if [[ -n "$WRK_PID" ]]; then kill -TERM "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" 2>/dev/null || true; fi
    stop_server
    if [[ -n "$PG_DB" ]]; then pg_admin "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true; fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build -----------------------------------------------------------------------
if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
    say "building the release binary (cargo build --release --locked -p clinicpress --bin clinicpress)"
    cargo build --release --locked -p clinicpress --bin clinicpress >&2
else
    say "BENCH_SKIP_BUILD=1: using the existing build"
fi
[[ -x "$BIN" ]] || die "no release binary at $BIN (run without BENCH_SKIP_BUILD=1)"

choose_port
BASE="http://127.0.0.1:$PORT"
HOST_HDR="Host: $HOST_NAME:$PORT"
LOADAVG_START=$(cut -d" " -f1-3 /proc/loadavg)

# --- helpers ---------------------------------------------------------------------

# start_server LOG ENV...: `serve --demo --trust-proxy` on a fresh data directory.
start_server() {
    local log="$1" deadline code
    shift
    port_in_use "$PORT" && die "port $PORT became busy before starting the server (another process?)"
    env -u DATABASE_URL -u CLINICPRESS_SQLITE_SYNCHRONOUS -u SMTP_URL NO_COLOR=1 "$@" \
        "$BIN" --data-dir "$DATA" serve --demo --trust-proxy --addr "127.0.0.1:$PORT" 2>"$log" >/dev/null &
    SERVER_PID=$!
    wait_healthy "$log"
}

# sql QUERY: run a query on the backend being measured; one row a line, |-separated.
sql() {
    case "$BACKEND" in
    sqlite | sqlite-full) sqlite3 -readonly -batch "$DATA/clinicpress.db" "$1" ;;
    postgres) psql "$DB_URL" -v ON_ERROR_STOP=1 -qAtc "$1" ;;
    esac
}


# run_wrk RUN OUTFILE WRK-ARGS...: one wrk run; RUN numbers its visitors and files.
run_wrk() {
    local run="$1" out="$2" rc=0
    shift 2
    LEADS_RUN="$run" LEADS_OUT="$WORK/$BACKEND" LEADS_THREADS="$THREADS" LEADS_OFFICE="$OFFICE" \
        wrk -s "$LUA" -H "$HOST_HDR" "$@" "$BASE/" >"$out" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || rc=$?
    WRK_PID=""
    return "$rc"
}

other_pct() { # other_pct CPU_MS WALL_MS -> % of one core
    awk -v o="$1" -v w="$2" 'BEGIN { if (o < 0) o = 0; printf "%.0f", (w > 0 ? o * 100 / w : 0) }'
}

declare -A R # results, keyed "backend:name"

# --- one backend -----------------------------------------------------------------
run_backend() {
    BACKEND="$1"
    local b="$1" log="$OUT/leads-server-$1.log" envs=() m0 m1 s0 s1 c0 c1 w0 w1
    DATA="$WORK/data-$b"
    mkdir -p "$DATA" "$WORK/$b"
    case "$b" in
    sqlite) R[$b:store]="SQLite, synchronous = NORMAL (default)" ;;
    sqlite-full)
        envs+=(CLINICPRESS_SQLITE_SYNCHRONOUS=full)
        R[$b:store]="SQLite, synchronous = FULL (\`CLINICPRESS_SQLITE_SYNCHRONOUS=full\`)"
        ;;
    postgres)
        PG_DB="clinicpress_bench_$$"
        pg_admin "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
        pg_admin "CREATE DATABASE $PG_DB" >/dev/null || die "cannot create a database on $PG_URL"
        DB_URL="${PG_URL%/*}/$PG_DB"
        envs+=(DATABASE_URL="$DB_URL")
        R[$b:store]="PostgreSQL $(pg_admin "SHOW server_version" | cut -d' ' -f1) (fsync $(pg_admin "SHOW fsync"), synchronous_commit $(pg_admin "SHOW synchronous_commit"))"
        ;;
    esac
    say "[$b] starting clinicpress serve --demo --trust-proxy on a fresh ${R[$b:store]}"
    start_server "$log" "${envs[@]}"
    if [[ "$b" != postgres ]]; then
        R[$b:pragma]=$(sqlite3 -batch "$DATA/clinicpress.db" "PRAGMA journal_mode" 2>/dev/null || echo "?")
    fi

    # One lead by hand: the API answers 201 on this host.
    local code
    code=$(curl -s -o "$WORK/first.json" --max-time 10 -H "$HOST_HDR" -H 'Content-Type: application/json' \
        -H 'X-Forwarded-For: 192.0.2.1' -w '%{http_code}' "$BASE/api/v1/leads" \
        --data '{"kind":"contact","name":"First","email":"first@example.com","contact_method":"email","message":"Hello.","consent":true,"office":"'"$OFFICE"'"}' || true)
    [[ "$code" == "201" ]] || { cat "$WORK/first.json" >&2; die "[$b] POST /api/v1/leads answered '${code:-nothing}', expected 201 (log: $log)"; }

    say "[$b] wrk: warm-up $WARMUP, then $DURATION with $CONNECTIONS connections"
    run_wrk 0 "$OUT/leads-wrk-$b-warmup.txt" -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" || die "wrk failed (warm-up)"
    local wout="$OUT/leads-wrk-$b-c$CONNECTIONS.txt" parsed rps p50 p99 total non2xx sockerr secs
    m0=$(machine_busy_ms); s0=$(proc_cpu_ms "$SERVER_PID"); children_cpu_ms; c0=$CHILD_MS; w0=$(now_ns)
    run_wrk 1 "$wout" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency || { cat "$wout" >&2; die "wrk failed"; }
    w1=$(now_ns); s1=$(proc_cpu_ms "$SERVER_PID"); children_cpu_ms; c1=$CHILD_MS; m1=$(machine_busy_ms)
    kill -0 "$SERVER_PID" 2>/dev/null || die "[$b] the server died during the load (log: $log)"
    parsed=$(parse_wrk <"$wout") || { cat "$wout" >&2; die "cannot parse the wrk output"; }
    read -r rps p50 p99 total non2xx sockerr secs _ <<<"$parsed"
    ((total > 0)) || die "[$b] wrk made no requests"
    local acked srv wrkc other
    acked=$(cat "$WORK/$b"/refs-1-*.txt | grep -c . || true)
    srv=$((s1 - s0)); wrkc=$((c1 - c0)); other=$((m1 - m0 - srv - wrkc)); ((other >= 0)) || other=0
    R[$b:rps]=$rps; R[$b:p50]=$p50; R[$b:p99]=$p99; R[$b:total]=$total; R[$b:secs]=$secs
    R[$b:acked]=$acked
    R[$b:leads_s]=$(awk -v a="$acked" -v s="$secs" 'BEGIN { printf "%.1f", a / s }')
    R[$b:err]="$non2xx / $sockerr"
    R[$b:statuses]=$(cat "$WORK/$b"/other-1-*.txt | sort | uniq -c | awk '{ printf "%s%s × %s", (NR > 1 ? ", " : ""), $1, $2 }')
    R[$b:cpu_lead]=$(awk -v c="$srv" -v t="$total" 'BEGIN { printf "%.2f", c / t }')
    R[$b:wrkcpu]=$(other_pct "$wrkc" "$(((w1 - w0) / 1000000))")
    R[$b:other]=$(other_pct "$other" "$(((w1 - w0) / 1000000))")
    say "[$b] $acked leads acknowledged in $secs s ($rps req/s), p50 $p50 ms, p99 $p99 ms, non-2xx $non2xx, socket errors $sockerr"

    say "[$b] wrk: $SINGLE_DURATION with one connection"
    run_wrk 2 "$OUT/leads-wrk-$b-c1.txt" -t1 -c1 -d"$SINGLE_DURATION" --latency || die "wrk failed (one connection)"
    parsed=$(parse_wrk <"$OUT/leads-wrk-$b-c1.txt") || die "cannot parse the wrk output"
    local c1rps c1p50 c1p99 c1total c1non2xx c1sock c1secs
    read -r c1rps c1p50 c1p99 c1total c1non2xx c1sock c1secs _ <<<"$parsed"
    R[$b:c1]="$c1p50 / $c1p99 ms ($c1rps leads/s)"
    R[$b:c1err]="$c1non2xx / $c1sock"

    # The outbox: every office notice delivered (to .eml files: no SMTP_URL).
    local t0 left drained="" n_notices n_rows
    t0=$(now_ns)
    while :; do
        left=$(sql "SELECT count(*) FROM outbox WHERE state <> 'sent'")
        if [[ "$left" == "0" ]]; then drained=$(awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'); break; fi
        (($(now_ns) - t0 < DRAIN_S * 1000000000)) || break
        sleep 0.2
    done
    R[$b:drain]=${drained:-"not drained after $DRAIN_S s ($left rows left)"}
    R[$b:srv_hwm]=$(awk -v k="$(kb_of "$SERVER_PID" VmHWM)" 'BEGIN { printf "%.0f", k / 1024 }')

    # Every acknowledged reference stored exactly once; no visitor stored twice.
    cat "$WORK/$b"/refs-*.txt | sort >"$WORK/$b/acked.txt"
    sql "SELECT reference FROM lead WHERE email LIKE 'bench-%'" | sort >"$WORK/$b/stored.txt"
    local all_acked dup_acked dup_stored missing unacked dup_email spam
    all_acked=$(grep -c . "$WORK/$b/acked.txt" || true)
    dup_acked=$(uniq -d "$WORK/$b/acked.txt" | grep -c . || true)
    dup_stored=$(uniq -d "$WORK/$b/stored.txt" | grep -c . || true)
    missing=$(comm -23 "$WORK/$b/acked.txt" "$WORK/$b/stored.txt" | grep -c . || true)
    unacked=$(comm -13 "$WORK/$b/acked.txt" "$WORK/$b/stored.txt" | grep -c . || true)
    dup_email=$(sql "SELECT count(*) FROM (SELECT email FROM lead WHERE email LIKE 'bench-%' GROUP BY email HAVING count(*) > 1) d")
    spam=$(sql "SELECT count(*) FROM lead WHERE email LIKE 'bench-%' AND status = 'spam'")
    n_rows=$(sql "SELECT count(*) FROM outbox o JOIN lead l ON l.id = o.lead_id WHERE l.email LIKE 'bench-%' AND o.purpose = 'office_notice' AND o.state = 'sent'")
    n_notices=$(grep -l -r "Reference: " "$DATA/mail" 2>/dev/null | wc -l)
    R[$b:check]="$all_acked acknowledged (all runs): $missing missing, $dup_acked acknowledged twice, $dup_stored stored twice, $dup_email visitors stored twice; $unacked stored but not acknowledged (in flight when wrk stopped); $spam marked spam; $n_rows office notices sent ($n_notices .eml files in all)"
    R[$b:ok]=yes
    if ((missing + dup_acked + dup_stored + dup_email > 0)); then R[$b:ok]=NO; fi
    say "[$b] check: ${R[$b:check]}"
    stop_server
    if [[ "$b" == postgres ]]; then pg_admin "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null; PG_DB=""; fi
    cp "$log" "$OUT/" 2>/dev/null || true
    rm -rf "$DATA"
}

for b in $BACKENDS; do
    run_backend "$b"
done

# --- report ----------------------------------------------------------------------
CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
GIT_REV=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then GIT_REV="$GIT_REV+dirty"; fi
BIN_MTIME=$(date -u -r "$BIN" '+%Y-%m-%d %H:%M UTC')

report() {
    local b cols=() sep="|---|"
    for b in $BACKENDS; do cols+=("$b"); sep="$sep---|"; done
    printf '### Lead benchmark — %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'Machine: %s cores, %s, %s · load average at start %s · commit %s · binary built %s · `POST /api/v1/leads` on `%s`, office `%s`, wrk %s threads × %s connections, %s after a %s warm-up; every request a new visitor (own e-mail address and `X-Forwarded-For`; the server runs with `--trust-proxy`, rate limits unchanged); notices delivered to .eml files\n\n' \
        "$(nproc)" "${CPU_MODEL:-unknown}" "$(uname -sr)" "$LOADAVG_START" "$GIT_REV" "$BIN_MTIME" "$HOST_NAME" "$OFFICE" "$THREADS" "$CONNECTIONS" "$DURATION" "$WARMUP"
    printf '| Measure |'; printf ' %s |' "${cols[@]}"; printf '\n%s\n' "$sep"
    row() { # row LABEL KEY
        printf '| %s |' "$1"
        for b in $BACKENDS; do printf ' %s |' "${R[$b:$2]}"; done
        printf '\n'
    }
    for b in $BACKENDS; do
        R[$b:lat]="**${R[$b:p50]} / ${R[$b:p99]} ms**"
        R[$b:busy]="wrk ${R[$b:wrkcpu]}%, other processes ${R[$b:other]}%"
        if ((R[$b:other] > BUSY_PCT)); then R[$b:busy]="${R[$b:busy]} — **machine busy with other work: figures are pessimistic**"; fi
        R[$b:errs]="${R[$b:err]}${R[$b:statuses]:+ (${R[$b:statuses]})}"
    done
    row "Store" store
    row "Acknowledged leads/s ($CONNECTIONS connections)" leads_s
    row "Requests/s (wrk)" rps
    row "Latency p50 / p99, $CONNECTIONS connections" lat
    row "Latency p50 / p99, 1 connection" c1
    row "Non-2xx / socket errors, $CONNECTIONS connections" errs
    row "Non-2xx / socket errors, 1 connection" c1err
    row "Server CPU per request (ms)" cpu_lead
    row "CPU of wrk and other processes (% of one core)" busy
    row "Outbox drained (s after the last run)" drain
    row "Stored leads checked" check
    row "Check passed" ok
    row "Server peak RSS (MiB)" srv_hwm
    printf '\n'
    local v
    if [[ " $BACKENDS " == *" $AIM_BACKEND "* ]]; then
        v=$(awk -v p="${R[$AIM_BACKEND:p99]}" -v l="$AIM_P99_MS" 'BEGIN { print (p + 0 < l + 0) ? "meets" : "MISSES" }')
        printf 'Aim: p99 < %s ms on SQLite with durable commits (%s), %s connections: **%s** (%s ms).\n' \
            "$AIM_P99_MS" "$AIM_BACKEND" "$CONNECTIONS" "$v" "${R[$AIM_BACKEND:p99]}"
    fi
}

report | tee "$OUT/leads-latest.md"
for b in $BACKENDS; do
    [[ "${R[$b:ok]}" == yes ]] || die "[$b] the stored leads do not match the acknowledged ones: ${R[$b:check]}"
done
say "written to bench/out/leads-latest.md; raw wrk output and server logs in bench/out/leads-*"
