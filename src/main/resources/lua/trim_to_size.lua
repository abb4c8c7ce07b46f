-- Retention by size. When the stream's memory (MEMORY USAGE, which samples a few nodes) is over ARGV[1]
-- bytes, removes the oldest entries so that the rest fits, taking every entry as the average size, but
-- never at or past offset ARGV[2] (the high watermark). Returns the log start offset after the trim, or
-- -1 when the stream was within the limit.
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
local first = offset_of(redis.call('XRANGE', key, '-', '+', 'COUNT', 1)[1][1])
local keep = math.floor(len * limit / size)
local target = first + (len - keep)
local bound = ARGV[2]
if target < tonumber(bound) then
  bound = string.format('%d', target)
end
redis.call('XTRIM', key, 'MINID', bound .. '-0')
return log_start(key)
