-- Retention by size. When the stream's memory (MEMORY USAGE, which samples a few nodes) is over ARGV[1]
-- bytes, removes the oldest entries so that the rest fits, taking every record as the average size, but never
-- at or past offset ARGV[2] (the high watermark). It removes whole stream nodes (XTRIM MINID ~), Korvet's
-- segments: the node holding the target stays, as Kafka never deletes a segment whose removal leaves the log
-- under the limit, and no deleted entry is left inside a node, where its bytes would still count (and make the
-- next pass trim too much). Returns the log start offset after the trim, or -1 when the stream was within the
-- limit. KEYS[2]: the start key.
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local len = redis.call('XLEN', key)
if len == 0 then
  return -1
end
local size = redis.call('MEMORY', 'USAGE', key)
if not size or size <= limit then
  return -1
end
local first = first_offset(redis.call('XRANGE', key, '-', '+', 'COUNT', 1)[1])
local records = next_offset(key) - first
local keep = math.floor(records * limit / size)
local target = first + (records - keep)
local bound = ARGV[2]
if target < tonumber(bound) then
  bound = string.format('%d', target)
end
redis.call('XTRIM', key, 'MINID', '~', bound .. '-0')
local start_after = log_start(key, KEYS[2])
if KEYS[3] then
  -- Aborted transactions whose marker is gone with the trimmed records are no longer named by any fetch.
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. string.format('%d', start_after))
end
return start_after
