-- GET /v1/customers/<random id>/scores; CUSTOMERS env = number of seeded customers.
-- SCORE_RATE (requests/s, optional) paces the requests on one schedule shared
-- by all connections of the thread (run with -t1), instead of as fast as the
-- server answers; the latency wrk reports still starts when a request is sent.
local customers = tonumber(os.getenv("CUSTOMERS") or "50000")
local rate = tonumber(os.getenv("SCORE_RATE") or "0")
local token = os.getenv("CLV_SERVE_TOKEN")
if token then wrk.headers["Authorization"] = "Bearer " .. token end

if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } clv_timespec;
    int clock_gettime(int clock, clv_timespec* ts);
  ]]
  local ts = ffi.new("clv_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local next_ms = nil
  delay = function()
    local now = now_ms()
    next_ms = math.max(next_ms or now, now - 5) + 1000 / rate  -- at most 5 ms of catch-up
    return math.max(0, next_ms - now)
  end
end

request = function()
  return wrk.format("GET", "/v1/customers/c" .. math.random(1, customers) .. "/scores")
end

response = function(status)
  if status ~= 200 then error("score request failed with status " .. status) end
end

done = function(summary, latency)
  io.write(string.format("SCORE requests/s %.0f  p50 %.2f ms  p99 %.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
