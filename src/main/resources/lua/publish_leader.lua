-- Publishes a partition's leader in the leaders hash KEYS[1] (field ARGV[1] = '<topic>:<partition>', value ARGV[2] =
-- '<epoch> <node>') unless the hash already holds a later epoch: claims are published asynchronously by different
-- brokers, and a late publication of an older claim must not hide a newer one. Returns 1 when written.
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and tonumber(string.match(current, '^(%d+)')) >= tonumber(string.match(ARGV[2], '^(%d+)')) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
