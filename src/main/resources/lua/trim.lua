-- Removes the records below offset ARGV[1] (DeleteRecords, retention by time) with an exact XTRIM MINID: every
-- entry whose last offset is below it. When the first entry left is a batch that starts below it, the start
-- key KEYS[2] keeps the new log start offset. The stream keeps its last generated ID, so the next offset does
-- not move even when nothing remains. Returns the log start offset after the trim.
local key = KEYS[1]
local target = tonumber(ARGV[1])
if redis.call('EXISTS', key) == 1 then
  redis.call('XTRIM', key, 'MINID', ARGV[1] .. '-0')
  local first = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)
  if #first > 0 and first_offset(first[1]) < target then
    local moved = tonumber(redis.call('GET', KEYS[2]) or '0')
    if target > moved then
      redis.call('SET', KEYS[2], ARGV[1])
    end
  end
end
return log_start(key, KEYS[2])
