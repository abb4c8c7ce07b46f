-- KEYS[3], when given: the partition's aborted transactions (see txn_step in common.lua), trimmed alike.
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
local start_after = log_start(key, KEYS[2])
if KEYS[3] then
  -- Aborted transactions whose marker is gone with the trimmed records are no longer named by any fetch.
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. string.format('%d', start_after))
end
return start_after
