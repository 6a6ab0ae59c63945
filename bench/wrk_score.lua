-- GET /v1/customers/<random id>/scores; CUSTOMERS env = number of seeded customers.
local customers = tonumber(os.getenv("CUSTOMERS") or "50000")
local token = os.getenv("CLV_SERVE_TOKEN")
if token then wrk.headers["Authorization"] = "Bearer " .. token end

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
