-- The broker registry, one hash (KEYS[1]): node id -> '<expires at ms> <incarnation> <host> <port> <rack> <listeners>'.
-- Registers or renews the registration of broker ARGV[1] (incarnation ARGV[2], primary host ARGV[3] and port ARGV[4],
-- rack ARGV[5], '' for none, every advertised listener ARGV[8], NAME=host:port joined by ',') for ARGV[6] ms of
-- Redis's clock, unless another incarnation holds that node id and has
-- not expired, and ARGV[7] is not '1' (take over). Removes expired registrations on the way.
-- Returns {1, now, id, registration, id, registration, ...} for the live brokers after it, or {0, now, holder's
-- registration} when refused.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local all = redis.call('HGETALL', KEYS[1])
local live = {}
local holder = nil
for i = 1, #all, 2 do
  local expires, incarnation = string.match(all[i + 1], '^(%d+) (%S+)')
  if tonumber(expires) <= now then
    redis.call('HDEL', KEYS[1], all[i])
  elseif all[i] == ARGV[1] then
    if incarnation ~= ARGV[2] then
      holder = all[i + 1]
    end
  else
    live[#live + 1] = all[i]
    live[#live + 1] = all[i + 1]
  end
end
if holder and ARGV[7] ~= '1' then
  return {0, now, holder}
end
local mine = string.format('%d', now + tonumber(ARGV[6])) .. ' ' .. ARGV[2] .. ' ' .. ARGV[3] .. ' ' .. ARGV[4] .. ' ' .. ARGV[5] .. ' ' .. ARGV[8]
redis.call('HSET', KEYS[1], ARGV[1], mine)
local result = {1, now, ARGV[1], mine}
for i = 1, #live do
  result[#result + 1] = live[i]
end
return result
