-- What a leader needs to rebuild its cache: {log start offset, next offset, id, batch, id, batch, ...},
-- the batch headers found in the last ARGV[1] entries, newest first.
local key = KEYS[1]
local scan = tonumber(ARGV[1])
local nxt = next_offset(key)
local start = log_start(key, nxt)
local result = {start, nxt}
local upper = '+'
local scanned = 0
while scanned < scan do
  local chunk = redis.call('XREVRANGE', key, upper, '-', 'COUNT', math.min(500, scan - scanned))
  if #chunk == 0 then
    break
  end
  for _, e in ipairs(chunk) do
    local f = e[2]
    for j = 1, #f, 2 do
      if f[j] == 'batch' then
        result[#result + 1] = e[1]
        result[#result + 1] = f[j + 1]
        break
      end
    end
  end
  scanned = scanned + #chunk
  upper = '(' .. chunk[#chunk][1]
end
return result
