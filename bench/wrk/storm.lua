-- The claim storm of bench/run.py: each connection sends exactly one claim, with a volunteer's
-- token of its own, then waits; a thread stops when all its answers are in. Arguments:
--   wrk -c N -t T -s storm.lua URL -- /api/v1/tasks/ID/claims TOKENS_FILE T
-- The file holds a few more tokens than N: when a write finds the socket not ready, wrk builds
-- the request again, and the token of the unsent one must not be used twice.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  path, mine, reserved, sent, answers, spare = args[1], {}, 0, 0, 0, 0
  c201, c409, cother = 0, 0, 0
  local nthreads, i = tonumber(args[3]), 0
  per_thread = tonumber(args[4])
  for line in io.lines(args[2]) do
    if line ~= "" then
      if i % nthreads == tid - 1 then table.insert(mine, line) end
      i = i + 1
    end
  end
end

function delay()
  -- wrk asks this before every request of every connection: one request per token, then quiet.
  if reserved >= per_thread then return 3600000 end
  reserved = reserved + 1
  return 0
end

function request()
  -- wrk also calls this once on its own, before any thread runs, to check the script.
  if mine == nil then return wrk.format("POST", "/", {}, "{}") end
  sent = sent + 1
  local token = mine[sent]
  if token == nil then
    -- Out of tokens (should not happen): a harmless request rather than a second claim.
    spare = spare + 1
    return wrk.format("GET", "/healthz")
  end
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, "{}")
end

function response(status, headers, body)
  if status == 201 then c201 = c201 + 1 elseif status == 409 then c409 = c409 + 1 else cother = cother + 1 end
  if status ~= 201 and os.getenv("STORM_SHOW") and not shown then shown = true; io.write(status, " ", body, "\n") end
  answers = answers + 1
  if answers >= per_thread then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local a, b, c, d = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a, b, c, d = a + t:get("c201"), b + t:get("c409"), c + t:get("cother"), d + t:get("spare")
  end
  io.write(string.format('STORM_JSON {"201": %d, "409": %d, "other": %d, "spare_requests": %d, "socket_errors": %d, "max_us": %d}\n',
    a, b, c, d, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, latency.max))
end
