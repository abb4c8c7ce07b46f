-- What a leader needs to rebuild its cache, claiming the partition on the way: {log start offset, next offset,
-- leader ('<epoch> <node>'), n, n pairs (epoch, its start offset), base, batch, base, batch, ...}, the batch
-- headers ('pid,epoch,seq,count,timestamp type') found in the last ARGV[1] entries, newest first, each with the
-- offset of its first record. KEYS[2]: the start key; KEYS[3]: the next key, set here from the stream itself;
-- KEYS[4]: the appending key, where a batch append interrupted out of its transaction (see append_fence.lua) may
-- have left the stream; KEYS[5]: the leader key; KEYS[6]: the epochs hash.
-- KEYS[7], KEYS[8]: the transaction index (see txn_step in common.lua): after the epochs come n, n pairs (producer id,
-- first offset of its ongoing transaction), then m, m aborted transactions ('<pid> <first> <marker offset>') whose
-- marker is at or past the log start offset.
-- ARGV[2]: the node id of the broker loading; ARGV[3]: the leader value it holds ('' when it holds none). When the
-- leader key is not that value, the broker claims the partition with the next epoch, starting at the next offset:
-- from then on the fence refuses every append of the previous leader.
local key = KEYS[1]
local scan = tonumber(ARGV[1])
if redis.call('EXISTS', key) == 0 and redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('RENAME', KEYS[4], key)
end
local nxt = next_offset(key)
redis.call('SET', KEYS[3], string.format('%d', nxt))
local start = log_start(key, KEYS[2], nxt)
local leader = redis.call('GET', KEYS[5])
if ARGV[3] == '' or leader ~= ARGV[3] then
  local epoch = 0
  if leader then
    epoch = tonumber(string.match(leader, '^(%d+)')) + 1
  end
  leader = string.format('%d', epoch) .. ' ' .. ARGV[2]
  redis.call('SET', KEYS[5], leader)
  redis.call('HSET', KEYS[6], string.format('%d', epoch), string.format('%d', epoch == 0 and 0 or nxt))
end
local epochs = redis.call('HGETALL', KEYS[6])
local result = {start, nxt, leader, #epochs / 2}
for i = 1, #epochs do
  result[#result + 1] = tonumber(epochs[i])
end
local ongoing = redis.call('HGETALL', KEYS[7])
result[#result + 1] = #ongoing / 2
for i = 1, #ongoing do
  result[#result + 1] = ongoing[i]
end
local aborted = redis.call('ZRANGEBYSCORE', KEYS[8], start, '+inf')
result[#result + 1] = #aborted
for i = 1, #aborted do
  result[#result + 1] = aborted[i]
end
local upper = '+'
local scanned = 0
while scanned < scan do
  local chunk = redis.call('XREVRANGE', key, upper, '-', 'COUNT', math.min(500, scan - scanned))
  if #chunk == 0 then
    break
  end
  for _, e in ipairs(chunk) do
    local f = e[2]
    if f[1] == 'base' then
      local v = {}
      for j = 1, #f, 2 do
        if f[j] ~= 'data' then
          v[f[j]] = f[j + 1]
        end
      end
      result[#result + 1] = tonumber(v.base)
      local flags = 0
      if v.flags and string.find(v.flags, 't', 1, true) then
        flags = flags + 1
      end
      if v.flags and string.find(v.flags, 'c', 1, true) then
        flags = flags + 2
      end
      result[#result + 1] = v.pid .. ',' .. v.epoch .. ',' .. v.seq .. ',' .. v.count .. ',0,' .. flags
    else
      for j = 1, #f, 2 do
        if f[j] == 'batch' then
          result[#result + 1] = offset_of(e[1])
          result[#result + 1] = f[j + 1]
          break
        end
      end
    end
  end
  scanned = scanned + #chunk
  upper = '(' .. chunk[#chunk][1]
end
return result
