-- Sets fields of a partition's cleaner checkpoint hash KEYS[2] ('{<stream>}:cleaner': where its active segment
-- starts, how far it is cleaned) to the field/value pairs ARGV[2 ..], when the leader key KEYS[1] still holds ARGV[1]
-- (only the partition's leader compacts it). Returns 1, or -1 when another broker leads the partition.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return -1
end
redis.call('HSET', KEYS[2], unpack(ARGV, 2))
return 1
