-- wrk script for bench/crawl.py: every path of a file (one per line) fetched once, the paths
-- dealt out to the threads in turn. A thread that has sent its share writes a file beside the
-- list (wrk runs for its whole duration otherwise): bench/crawl.py then stops wrk with SIGINT,
-- which prints the summary of what was done.
local threads, count = {}, 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  local file, threads_in_all = args[1], tonumber(args[2])
  headers = { ["Accept-Encoding"] = args[3] }
  paths, next_path, statuses, answered, done_file = {}, 0, {}, 0, file .. ".done-" .. id
  local line_number = 0
  for line in io.lines(file) do
    if line_number % threads_in_all == id then
      table.insert(paths, line)
    end
    line_number = line_number + 1
  end
end

function request()
  -- Past its share, a connection asks for the last path again; those answers are not counted.
  next_path = math.min(next_path + 1, #paths)
  return wrk.format("GET", paths[next_path], headers)
end

function response(status, headers, body)
  answered = answered + 1
  if answered > #paths then
    return
  end
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if answered == #paths then
    io.open(done_file, "w"):close()
  end
end

function done(summary, latency, requests)
  local by_status = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + n
    end
  end
  local parts, counted = {}, 0
  for status, n in pairs(by_status) do
    counted = counted + n
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "statuses": {%s}, "errors": %d, "p50_ms": %.2f, "p99_ms": %.2f, '
      .. '"duration_s": %.3f}\n',
    counted, table.concat(parts, ", "),
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.duration / 1e6))
end
