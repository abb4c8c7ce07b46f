-- Compare-and-set of one field of the registry hash KEYS[1] (topics, dynamic broker configs), so that
-- concurrent changes to one record never overwrite each other.
-- ARGV[1]: the field; ARGV[2]: '1' if the caller read a value, ARGV[3] that value; ARGV[4]: '1' to set
-- the field to ARGV[5], '0' to delete it. Returns 1 when done, 0 when the field changed since it was read.
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '1' then
  if current ~= ARGV[3] then
    return 0
  end
elseif current then
  return 0
end
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[5])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 1
