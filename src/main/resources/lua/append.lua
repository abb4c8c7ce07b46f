-- Appends one produce batch, all or nothing, if the log is where the leader expects it.
-- ARGV[1]: the next offset the leader expects; ARGV[2]: the leader value ('<epoch> <node>') it claimed, which the
-- leader key KEYS[3] must still hold (else returns {-1}, writing nothing); then per entry: its ID, its shape, its timestamp, and the values
-- of the fields its shape names, in that order: k key, v value, h headers, b batch ('v' is an entry with a
-- timestamp and a value; 'kvb' one with a key, a value and the batch facts; '' a timestamp alone).
-- The field names are this script's constants, not arguments: Redis turns every argument into a Lua string,
-- hashing each of its bytes, so two fewer per record make an append cheaper.
-- KEYS[2]: the stream's next key, which every append keeps (see append_fence.lua), read when it is there.
-- With five keys (a transactional batch or a marker), KEYS[4] and KEYS[5] are the partition's transaction index and
-- ARGV[3..5] its update (action, producer id, offset: see txn_step in common.lua); the entries then start at ARGV[6].
-- Returns {1} when appended, {0, actual next offset} when fenced (nothing written).
local FIELD = {k = 'key', v = 'value', h = 'headers', b = 'batch'}
local key = KEYS[1]
local expected = tonumber(ARGV[1])
if redis.call('GET', KEYS[3]) ~= ARGV[2] then
  return {-1}
end
local ok, actual = ends_at(key, KEYS[2], expected)
if not ok then
  return {0, actual}
end
local i = 3
if #KEYS >= 5 then
  txn_step(KEYS[4], KEYS[5], ARGV[3], ARGV[4], ARGV[5])
  i = 6
end
local argc = #ARGV
local appended = 0
while i <= argc do
  appended = appended + 1
  local shape = ARGV[i + 1]
  if shape == 'v' then
    redis.call('XADD', key, ARGV[i], 'ts', ARGV[i + 2], 'value', ARGV[i + 3])
    i = i + 4
  elseif shape == 'kv' then
    redis.call('XADD', key, ARGV[i], 'ts', ARGV[i + 2], 'key', ARGV[i + 3], 'value', ARGV[i + 4])
    i = i + 5
  else
    local args = {'XADD', key, ARGV[i], 'ts', ARGV[i + 2]}
    local j = i + 3
    for n = 1, #shape do
      args[#args + 1] = FIELD[string.sub(shape, n, n)]
      args[#args + 1] = ARGV[j]
      j = j + 1
    end
    redis.call(unpack(args))
    i = j
  end
end
redis.call('SET', KEYS[2], string.format('%d', expected + appended))
return {1}
