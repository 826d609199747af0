# Shared helpers of the benchmark scripts (run.sh, search.sh, leads.sh, suite.sh).
# Sourced, not run. Expects the caller to keep SERVER_PID and WORK (a scratch
# directory) in its own variables.

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# choose_port: sets PORT to BENCH_PORT (checked free) or the first free one
# in 3900-3999 on 127.0.0.1.
choose_port() {
    if [[ -n "${BENCH_PORT:-}" ]]; then
        [[ "$BENCH_PORT" =~ ^[0-9]+$ ]] || die "BENCH_PORT must be a number (got '$BENCH_PORT')"
        PORT="$BENCH_PORT"
        port_in_use "$PORT" && die "port $PORT on 127.0.0.1 is already in use; pick another with BENCH_PORT=…"
    else
        PORT=""
        local p
        for ((p = 3900; p < 4000; p++)); do
            if ! port_in_use "$p"; then PORT="$p"; break; fi
        done
        [[ -n "$PORT" ]] || die "no free port in 3900-3999 on 127.0.0.1; set BENCH_PORT"
    fi
    return 0
}

# stop_server: TERM the server in SERVER_PID, up to 5 s to shut down, then KILL.
stop_server() {
    local pid="$SERVER_PID"
    SERVER_PID=""
    [[ -n "$pid" ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        local i
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
}

now_ns() { date +%s%N; }

# CPU accounting, to report how busy the machine was while measuring (other
# processes inflate latencies). All figures in milliseconds of CPU time.
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
machine_busy_ms() { # user+nice+system+irq+softirq+steal over all CPUs
    awk -v hz="$CLK_TCK" '$1 == "cpu" { printf "%d\n", ($2 + $3 + $4 + $7 + $8 + $9) * 1000 / hz; exit }' /proc/stat
}
proc_cpu_ms() { # utime+stime of a whole process (all threads)
    sed 's/^.*) //' "/proc/$1/stat" | awk -v hz="$CLK_TCK" '{ printf "%d\n", ($12 + $13) * 1000 / hz }'
}
children_cpu_ms() { # sets CHILD_MS: CPU of this shell's reaped children (bash `times`, 2nd line)
    # `times` must run in the calling shell (not a pipeline or $(...)) to see its children.
    times >"$WORK/times"
    CHILD_MS=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); t += a[1] * 60000 + (a[2] + 0) * 1000 }; printf "%d\n", t }' "$WORK/times")
}
kb_of() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; } # kb_of PID VmHWM

# parse_wrk < WRK-OUTPUT: prints "rps p50 p99 total non2xx sockerr seconds
# sockdetail" (latencies in ms: wrk prints 850.00us / 1.23ms / 1.02s / 2.00m;
# seconds is the run's length; sockdetail, last because it has spaces, is
# wrk's "connect 0 read 0 write 0 timeout 0" or "-"). Fails on output it
# cannot read.
parse_wrk() {
    awk '
    function ms(v,   n) {
        n = v + 0
        if (v ~ /us$/) return n / 1000
        if (v ~ /ms$/) return n
        if (v ~ /m$/)  return n * 60000
        if (v ~ /s$/)  return n * 1000
        return n
    }
    $1 == "Requests/sec:" { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    $2 == "requests" && $3 == "in" { total = $1; secs = $4; sub(/s,?$/, "", secs) }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ {
        line = $0; sub(/.*Socket errors: */, "", line); gsub(/,/, "", line)
        n = split(line, f, " ")
        for (j = 2; j <= n; j += 2) sockerr += f[j]
        sockdetail = line
    }
    END {
        if (rps == "" || p50 == "" || p99 == "" || secs == "") exit 1
        printf "%.1f %.2f %.2f %d %d %d %s %s\n", rps, p50, p99, total, non2xx + 0, sockerr + 0, secs, (sockdetail == "" ? "-" : sockdetail)
    }'
}

# wait_healthy LOG [PREFIX] [POLL]: wait (up to 120 s) until the server in
# SERVER_PID answers 200 on $BASE/healthz; dies with the log's tail if it
# exits or never answers. PREFIX starts the error messages ("[sqlite-1k] ").
wait_healthy() {
    local log="$1" prefix="${2:-}" poll="${3:-0.05}" code deadline
    deadline=$(($(now_ns) + 120 * 1000000000))
    while :; do
        code=$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "$BASE/healthz" 2>/dev/null || true)
        [[ "$code" == "200" ]] && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null || true
            SERVER_PID=""
            tail -n 30 "$log" >&2 || true
            die "${prefix}the server exited before /healthz answered (log: $log)"
        fi
        (($(now_ns) < deadline)) || { tail -n 30 "$log" >&2; die "${prefix}/healthz did not answer 200 within 120 s"; }
        sleep "$poll"
    done
}
