-- wrk script: POST /api/v1/verifications to distinct destinations from distinct client
-- addresses (X-Forwarded-For, for a server with behind_proxy = true).
-- wrk -t2 -c16 -d10s -s bench/verifications.lua http://127.0.0.1:8080
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end

function request()
  counter = counter + 1
  local n = id * 1000000 + counter
  local body = string.format('{"purpose":"register","channel":"email","destination":"w%d@bench.example"}', n)
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = string.format("198.18.%d.%d", math.floor(n / 250) % 250, n % 250 + 1),
  }
  return wrk.format("POST", "/api/v1/verifications", headers, body)
end

function response(status, headers, body)
  if status ~= 202 then
    print("unexpected status " .. status .. ": " .. body)
  end
end
