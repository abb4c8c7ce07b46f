-- Removes expired committed offsets from a group's offsets hash KEYS[1], each only if it is still the value the
-- coordinator judged expired (a commit since then keeps it). ARGV: field, value, field, value...
-- Returns how many offsets the group has left.
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return redis.call('HLEN', KEYS[1])
