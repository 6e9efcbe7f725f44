-- wrk script for bench/cluster.py and bench/publish_storm.py: reads spread over the paths given
-- after `--` (a path, or "hx:" and a path for an htmx fragment), counted by second and by status
-- in every thread, and merged into one line of JSON at the end. A 503 without Retry-After is
-- counted apart.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths, next_path = {}, 0
  for _, arg in ipairs(args) do
    table.insert(paths, arg)
  end
  per_second, statuses, without_retry_after = {}, {}, 0
end

function request()
  next_path = next_path % #paths + 1
  local path = paths[next_path]
  if path:sub(1, 3) == "hx:" then
    return wrk.format("GET", path:sub(4), {["HX-Request"] = "true"})
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local second = tostring(os.time())
  per_second[second] = (per_second[second] or 0) + 1
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status == 503 and headers["Retry-After"] == nil then
    without_retry_after = without_retry_after + 1
  end
end

local function json(table_of_numbers)
  local parts = {}
  for key, value in pairs(table_of_numbers) do
    table.insert(parts, string.format('"%s": %d', key, value))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local seconds, by_status, missing = {}, {}, 0
  for _, thread in ipairs(threads) do
    for second, count in pairs(thread:get("per_second")) do
      seconds[second] = (seconds[second] or 0) + count
    end
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
    missing = missing + thread:get("without_retry_after")
  end
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %s, "statuses": %s, "without_retry_after": %d, '
      .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, '
      .. '"p50_ms": %.2f, "p99_ms": %.2f, "duration_s": %.2f}\n',
    summary.requests, json(seconds), json(by_status), missing, errors.connect, errors.read,
    errors.write, errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.duration / 1e6))
end
