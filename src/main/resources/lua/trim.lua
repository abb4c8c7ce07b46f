-- Removes the entries below offset ARGV[1] (DeleteRecords, retention by time) with an exact XTRIM MINID.
-- The stream keeps its last generated ID, so the next offset does not move even when nothing remains.
-- Returns the log start offset after the trim.
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then
  redis.call('XTRIM', key, 'MINID', ARGV[1] .. '-0')
end
return log_start(key)
