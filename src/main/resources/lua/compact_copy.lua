-- One bounded step of a compaction (see io.korvet.log.PartitionCleaner): the cleaner rebuilds a partition's stream
-- KEYS[1] into the copy KEYS[2] ('{<stream>}:compacting'), entry by entry in offset order, because Redis cannot
-- rewrite a stream entry in place nor add one below the stream's last ID; compact_swap.lua then puts the copy in
-- the stream's place.
-- Copies the entries after ID ARGV[2] through ID ARGV[3] ('+': to the end), at most ARGV[4] of them and, once past
-- the first, no more than about ARGV[5] bytes of field values; leaves out the entries whose IDs ARGV[7 .. 6 + n] name
-- (n = ARGV[6]); for the entries named by the triples that follow (ID, data, maxts: a rewritten batch) copies the
-- other fields as they are and those two from the triple. ARGV[2] '' starts a new copy: the old one is deleted.
-- KEYS[3]: the leader key, which must hold ARGV[1] ('<epoch> <node>'), else returns {-1} and writes nothing: only the
-- partition's leader compacts it.
-- Returns {1, entries gone through, the ID of the last one ('' when none)}.
local stream, copy = KEYS[1], KEYS[2]
if redis.call('GET', KEYS[3]) ~= ARGV[1] then
  return {-1}
end
local from = '-'
if ARGV[2] == '' then
  redis.call('UNLINK', copy)
else
  from = '(' .. ARGV[2]
end
local max, budget = tonumber(ARGV[4]), tonumber(ARGV[5])
local drops = {}
local n = tonumber(ARGV[6])
for i = 7, 6 + n do
  drops[ARGV[i]] = true
end
local rewrites = {}
for i = 7 + n, #ARGV, 3 do
  rewrites[ARGV[i]] = {ARGV[i + 1], ARGV[i + 2]}
end
-- Read a few entries at a time: a batch entry may be large, and reading past the byte budget would cost as much.
local last, done, bytes = '', 0, 0
while done < max and (done == 0 or bytes <= budget) do
  local entries = redis.call('XRANGE', stream, from, ARGV[3], 'COUNT', math.min(8, max - done))
  if #entries == 0 then
    break
  end
  for _, e in ipairs(entries) do
    if done > 0 and bytes > budget then
      break
    end
    local id, f = e[1], e[2]
    if not drops[id] then
      local r = rewrites[id]
      if r then
        for j = 1, #f, 2 do
          if f[j] == 'data' then
            f[j + 1] = r[1]
          elseif f[j] == 'maxts' then
            f[j + 1] = r[2]
          end
        end
      end
      for j = 2, #f, 2 do
        bytes = bytes + #f[j]
      end
      redis.call('XADD', copy, id, unpack(f))
    end
    last = id
    done = done + 1
  end
  from = '(' .. last
end
return {1, done, last}
