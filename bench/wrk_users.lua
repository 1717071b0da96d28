-- wrk script for bench_subscriber: one signed-in user per connection (run wrk with as many
-- threads as connections), each with its own session cookie, keeping the cookies the site sets
-- (the CSRF cookie, as a browser would), waiting a random think time between requests.
-- Arguments after "--": PATH THINK_MS LANGUAGE COOKIES_FILE (one user's "name=value; ..." a line).
-- Prints one JSON line: requests, errors, duration, p50/p95/p99 latency in ms.

local next_user = 0

function setup(thread)
  next_user = next_user + 1
  thread:set("user", next_user)
end

function init(args)
  path = args[1]
  think = tonumber(args[2])
  language = args[3]
  local jars = {}
  for line in io.lines(args[4]) do
    jars[#jars + 1] = line
  end
  cookies = {}
  for name, value in jars[((user - 1) % #jars) + 1]:gmatch("([^=;%s]+)=([^;]*)") do
    cookies[name] = value
  end
  math.randomseed(user)
end

local function cookie_header()
  local parts = {}
  for name, value in pairs(cookies) do
    parts[#parts + 1] = name .. "=" .. value
  end
  return table.concat(parts, "; ")
end

function request()
  return wrk.format("GET", path, { ["Cookie"] = cookie_header(), ["Accept-Language"] = language })
end

function response(status, headers, body)
  local set = headers["Set-Cookie"]
  if set then
    local name, value = set:match("^%s*([^=]+)=([^;]*)")
    if name then cookies[name] = value end
  end
end

function delay()
  if think > 0 then
    return math.floor(think * (0.5 + math.random()))
  end
  return 0
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "non2xx": %d, "socket_errors": %d, "seconds": %.3f, '
      .. '"p50": %.3f, "p95": %.3f, "p99": %.3f}\n',
    summary.requests,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000
  ))
end
