-- wrk script for bench_tagging: one tagger per connection (run wrk with as many threads as
-- connections), each looping next title -> create the draft (or save the one it has) -> submit
-- over the API with its own token, waiting a random think time between calls when asked.
-- Arguments after "--": TOKENS_FILE (one API token a line) THINK_LOW_MS THINK_HIGH_MS BODY_FILE
-- (the draft's "values" as JSON) OUT_DIR. Prints one JSON line: requests, loops, errors by
-- call, duration. Each tagger writes its calls' latencies ("next 12.345" in ms, a line each) to
-- OUT_DIR/latencies-N: they are timed here, from building the request to its response, because
-- wrk's own percentiles are corrected for coordinated omission, which models clients sending
-- at a fixed rate, while a tagger waits for each answer. (wrk cannot copy tables between its
-- threads' Lua states, hence the files.)

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } timespec;
  int clock_gettime(int clk_id, timespec *tp);
]])
local clock = ffi.new("timespec")

local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("tagger", #threads)
end

function init(args)
  local tokens = {}
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
  headers = {
    ["Authorization"] = "Token " .. tokens[tagger],
    ["Content-Type"] = "application/json",
  }
  think_low, think_high = tonumber(args[2]), tonumber(args[3])
  local file = io.open(args[4])
  values = file:read("*a")
  file:close()
  math.randomseed(tagger)
  step, title, tagging, version = "next", nil, nil, nil
  loops, err_next, err_draft, err_submit = 0, 0, 0, 0
  out = io.open(args[5] .. "/latencies-" .. tagger, "w")
  out:setvbuf("line") -- wrk never closes the threads' states: nothing may wait in a buffer
end

function request()
  sent = now_ms()
  if step == "draft" and tagging then
    return wrk.format("PATCH", "/api/v1/taggings/" .. tagging .. "/", headers,
      '{"version": ' .. version .. ', "values": ' .. values .. '}')
  elseif step == "draft" then
    return wrk.format("POST", "/api/v1/taggings/", headers,
      '{"title": ' .. title .. ', "values": ' .. values .. ', "notes": "bench"}')
  elseif step == "submit" then
    return wrk.format("POST", "/api/v1/taggings/" .. tagging .. "/submit/", headers,
      '{"version": ' .. version .. '}')
  end
  return wrk.format("POST", "/api/v1/assignments/next/", headers)
end

-- DRF's JSON is compact ("key":value); only the ids and the version are read.
function response(status, headers, body)
  out:write(string.format("%s %.3f\n", step, now_ms() - sent))
  if step == "next" then
    if status == 200 then
      title = body:match('"title":{"id":(%d+)')
      tagging, version = body:match('"tagging":{"id":(%d+),"status":"[^"]*","version":(%d+)}')
      step = "draft"
    elseif status ~= 204 then -- 204: no work left; ask again
      err_next = err_next + 1
    end
  elseif step == "draft" then
    if status == 200 or status == 201 then
      tagging = body:match('^{"id":(%d+)')
      version = body:match('"version":(%d+)')
      step = "submit"
    else
      err_draft = err_draft + 1
      step = "next"
    end
  else
    if status == 200 then
      loops = loops + 1
    else
      err_submit = err_submit + 1
    end
    step = "next"
  end
end

function delay()
  if think_high > 0 then
    return math.random(think_low, think_high)
  end
  return 0
end

function done(summary, latency, requests)
  local total = { loops = 0, next = 0, draft = 0, submit = 0 }
  for _, thread in ipairs(threads) do
    total.loops = total.loops + thread:get("loops")
    total.next = total.next + thread:get("err_next")
    total.draft = total.draft + thread:get("err_draft")
    total.submit = total.submit + thread:get("err_submit")
  end
  io.write(string.format(
    '{"requests": %d, "loops": %d, "errors": {"next": %d, "draft": %d, "submit": %d}, '
      .. '"socket_errors": %d, "seconds": %.3f}\n',
    summary.requests,
    total.loops,
    total.next,
    total.draft,
    total.submit,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6
  ))
end
