# Shared helpers of the benchmark scripts (bench/run.sh, bench/search.sh).
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
