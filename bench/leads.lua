-- wrk script for bench/leads.sh: POST /api/v1/leads, each request a new
-- visitor (its own name, e-mail address and X-Forwarded-For address; the
-- server runs with --trust-proxy), and every acknowledged reference written
-- to a file so the script can check the database afterwards.
--
-- Environment: LEADS_RUN (a small number, distinct per wrk run), LEADS_OUT
-- (folder for the files), LEADS_THREADS (wrk's -t), LEADS_OFFICE (office
-- slug, may be empty). Files: LEADS_OUT/refs-RUN-THREAD.txt (one reference
-- a line), LEADS_OUT/other-RUN-THREAD.txt (status of every non-201 answer).

local threads = 0

function setup(thread)
    thread:set("id", threads)
    threads = threads + 1
end

local counter = 0
local run, nthreads, office, refs, other, headers

function init(args)
    run = tonumber(os.getenv("LEADS_RUN") or "0")
    nthreads = tonumber(os.getenv("LEADS_THREADS") or "2")
    office = os.getenv("LEADS_OFFICE") or ""
    local dir = os.getenv("LEADS_OUT") or "."
    refs = assert(io.open(string.format("%s/refs-%d-%d.txt", dir, run, id), "w"))
    other = assert(io.open(string.format("%s/other-%d-%d.txt", dir, run, id), "w"))
    -- wrk exits without closing Lua's files: write each line through.
    refs:setvbuf("line")
    other:setvbuf("line")
    headers = {}
    for k, v in pairs(wrk.headers) do
        headers[k] = v
    end
    headers["Content-Type"] = "application/json"
end

function request()
    counter = counter + 1
    -- Unique over threads and runs: 2^22 visitors a run.
    local n = run * 4194304 + counter * nthreads + id
    -- (wrk's LuaJIT has no bit operators: plain arithmetic.)
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
        math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
    local body = string.format(
        '{"kind":"contact","name":"Bench Visitor %d","email":"bench-%d@example.com",' ..
        '"contact_method":"email","message":"Benchmark request %d: do you take new patients on Thursdays?",' ..
        '"consent":true,"office":"%s","page":"/bench"}',
        n, n, n, office)
    return wrk.format("POST", "/api/v1/leads", headers, body)
end

function response(status, hdrs, body)
    if status == 201 then
        local ref = body:match('"reference"%s*:%s*"([^"]+)"')
        if ref then
            refs:write(ref, "\n")
        else
            other:write("201-without-reference\n")
        end
    else
        other:write(status, "\n")
    end
end
