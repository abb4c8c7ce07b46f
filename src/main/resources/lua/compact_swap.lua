-- The last step of a compaction (see compact_copy.lua): when the entries appended to the stream KEYS[1] since the
-- copy KEYS[2] went through ID ARGV[2] are no more than ARGV[3] and hold no more than ARGV[4] bytes, copies them too, drops from the copy what retention
-- or DeleteRecords removed from the stream meanwhile (the entries before the stream's first), and puts the copy in
-- the stream's place: every entry at or after the stream's first is in the copy, the ones the cleaner left out
-- excepted, and its last ID is set to the stream's (XSETID), so no acknowledged record is lost and the next offset
-- stays where it is.
-- The old stream is renamed to KEYS[6] and unlinked (freed in the background). Sets the cleaner's checkpoint hash
-- KEYS[4] to the field/value pairs ARGV[5 ..].
-- KEYS[3]: the leader key, which must hold ARGV[1], else {-1}; KEYS[5]: the appending key, where a batch append
-- interrupted out of its transaction may have left the stream: then {-2} and nothing done (load_state moves it back).
-- Returns {1} when swapped, {0, n} when more than that is still to copy, {-3} when the copy or the stream
-- is gone, or the copy lacks the stream's last entry (the copy is deleted).
local stream, copy = KEYS[1], KEYS[2]
if redis.call('GET', KEYS[3]) ~= ARGV[1] then
  return {-1}
end
if redis.call('EXISTS', KEYS[5]) == 1 then
  return {-2}
end
if redis.call('EXISTS', copy) == 0 or redis.call('EXISTS', stream) == 0 then
  redis.call('UNLINK', copy)
  return {-3}
end
local limit = tonumber(ARGV[3])
local tail = redis.call('XRANGE', stream, '(' .. ARGV[2], '+', 'COUNT', limit + 1)
if #tail > limit then
  return {0, #tail}
end
local bytes, budget = 0, tonumber(ARGV[4])
for _, e in ipairs(tail) do
  for j = 2, #e[2], 2 do
    bytes = bytes + #e[2][j]
  end
end
if bytes > budget then
  return {0, #tail}
end
for _, e in ipairs(tail) do
  redis.call('XADD', copy, e[1], unpack(e[2]))
end
local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
local copied = redis.call('XREVRANGE', copy, '+', '-', 'COUNT', 1)
if #first == 0 or #copied == 0 or copied[1][1] ~= last[1][1] then
  -- Emptied meanwhile, or a copy without the stream's last entry, from which the next offset is computed: refused.
  redis.call('UNLINK', copy)
  return {-3}
end
redis.call('XTRIM', copy, 'MINID', first[1][1])
-- The copy ends where the stream does even when its last entries were left out (records without a key): the next
-- offset is computed from the last ID.
local info = redis.call('XINFO', 'STREAM', stream)
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then
    redis.call('XSETID', copy, info[i + 1])
  end
end
redis.call('RENAME', stream, KEYS[6])
redis.call('RENAME', copy, stream)
redis.call('UNLINK', KEYS[6])
if #ARGV > 4 then
  redis.call('HSET', KEYS[4], unpack(ARGV, 5))
end
return {1}
