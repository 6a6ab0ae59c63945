-- POST /v1/transactions with BATCH transactions per request (no ids, so every
-- record is a new row). Bodies are built once; customers are random.
local customers = tonumber(os.getenv("CUSTOMERS") or "50000")
local batch = tonumber(os.getenv("BATCH") or "5000")
local token = os.getenv("CLV_SERVE_TOKEN")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if token then wrk.headers["Authorization"] = "Bearer " .. token end
wrk.path = "/v1/transactions"

local bodies = {}
init = function()
  for b = 1, 8 do
    local parts = {}
    for i = 1, batch do
      parts[i] = string.format(
        '{"customer_id":"c%d","timestamp":%d,"amount_minor":%d}',
        math.random(1, customers), 1704067200 + math.random(0, 86400 * 300), math.random(100, 20000))
    end
    bodies[b] = '{"transactions":[' .. table.concat(parts, ",") .. ']}'
  end
end

local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])
end

response = function(status, headers, body)
  if status ~= 200 then error("ingest failed with status " .. status .. ": " .. body) end
end

done = function(summary, latency)
  local seconds = summary.duration / 1e6
  io.write(string.format("INGEST batches/s %.1f  transactions/s %.0f  p99 batch latency %.1f ms\n",
    summary.requests / seconds, summary.requests * batch / seconds,
    latency:percentile(99) / 1000))
end
