-- wrk script for bench/search.sh: cycles through the benchmark's fixed
-- search queries. Environment:
--   SEARCH_URLS  file with one URL query string per line (q=...&tag=...),
--                written by `search_bench urls`
--   SEARCH_PATH  /search (the page) or /api/v1/search (the JSON API)
-- The Host header (the clinic) comes from wrk's -H option.

local path = os.getenv("SEARCH_PATH") or "/search"
local file = os.getenv("SEARCH_URLS") or error("SEARCH_URLS is not set")

local requests = {}
for line in io.lines(file) do
  if line ~= "" then
    requests[#requests + 1] = path .. "?" .. line
  end
end

local next_id = 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local i = 0
function init(args)
  if #requests == 0 then
    error("no queries in " .. file)
  end
  -- Threads start at different queries, so they do not ask the same one at once.
  i = (((id or 1) - 1) * 17) % #requests
end

function request()
  i = i % #requests + 1
  return wrk.format("GET", requests[i])
end
