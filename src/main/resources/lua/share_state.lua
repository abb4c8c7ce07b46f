-- One change of a share partition's state (KIP-932), the hash KEYS[1] = '{<stream>}:share:<group>' in the stream's
-- slot: field 'spso' is the share-partition start offset, each other field an in-flight record's offset valued
-- 'd<n>' (delivered n times: acquired or available again), 'a<n>' (acknowledged) or 'x<n>' (archived).
-- ARGV[1]: '1' to clear the hash first (a reset); ARGV[2]: the start offset; ARGV[3]: n, then n offset/value pairs to
-- set; the rest: offsets to remove (settled records the start offset moved past). Absolute values only, so that
-- running it again changes nothing.
if ARGV[1] == '1' then
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], 'spso', ARGV[2])
local n = tonumber(ARGV[3])
local i = 4
while i < 4 + 2 * n do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  i = i + 2
end
while i <= #ARGV do
  redis.call('HDEL', KEYS[1], ARGV[i])
  i = i + 1
end
return 1
