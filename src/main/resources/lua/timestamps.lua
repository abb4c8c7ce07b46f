-- The timestamps of up to ARGV[2] entries from ID ARGV[1] on: {first offset, last offset, ts, ...}, per entry
-- its first and last offsets and its timestamp (a record entry's 'ts', a batch entry's 'maxts').
-- Only these small fields cross the wire, so that timestamp searches do not move values.
local key = KEYS[1]
local chunk = redis.call('XRANGE', key, ARGV[1], '+', 'COUNT', tonumber(ARGV[2]))
local result = {}
for _, e in ipairs(chunk) do
  local f = e[2]
  for j = 1, #f, 2 do
    if f[j] == 'ts' or f[j] == 'maxts' then
      result[#result + 1] = first_offset(e)
      result[#result + 1] = offset_of(e[1])
      result[#result + 1] = tonumber(f[j + 1])
      break
    end
  end
end
return result
