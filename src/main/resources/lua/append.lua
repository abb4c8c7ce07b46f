-- Appends one produce batch, all or nothing, if the log is where the leader expects it.
-- ARGV[1]: the next offset the leader expects; then per entry: its ID, its field count n, n field/value pairs.
-- Returns {1} when appended, {0, actual next offset} when fenced (nothing written).
local key = KEYS[1]
local expected = tonumber(ARGV[1])
local actual = next_offset(key)
if actual ~= expected then
  return {0, actual}
end
local i = 2
local argc = #ARGV
while i <= argc do
  local n = tonumber(ARGV[i + 1])
  redis.call('XADD', key, ARGV[i], unpack(ARGV, i + 2, i + 1 + 2 * n))
  i = i + 2 + 2 * n
end
return {1}
