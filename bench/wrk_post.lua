-- wrk script: POST to one of several paths in turn, each with its own bearer token and a
-- fresh request_id. Set from the environment by bench/server_load.py:
--   SAHAJA_BENCH_TARGETS = "path|token|service,path|token|service,..."
--   SAHAJA_BENCH_RUN = a prefix unique to this run: wrk's math.random is not seeded, so
--   without it every run (and the first thread of each) sent the same request_ids again
--   and the server answered replays instead of issuing
local targets = {}
for item in string.gmatch(os.getenv("SAHAJA_BENCH_TARGETS") or "", "[^,]+") do
  local path, token, service = string.match(item, "([^|]*)|([^|]*)|([^|]*)")
  table.insert(targets, {path = path, token = token, service = service})
end

local run = os.getenv("SAHAJA_BENCH_RUN") or ""
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  counter = counter + 1
  local t = targets[(counter % #targets) + 1]
  local headers = {["Authorization"] = "Bearer " .. t.token, ["Content-Type"] = "application/json"}
  local body = ""
  if t.service ~= "" then
    body = string.format('{"service":"%s","request_id":"w%s-%s-%d"}', t.service, run,
      tostring(tid), counter)
  end
  return wrk.format("POST", t.path, headers, body)
end

function response(status, headers, body)
  if status ~= 200 and status ~= 201 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
