-- Shared by every Korvet script; each script touches its partition stream KEYS[1] alone.
-- Entry IDs are '<offset>-1': the offset is the part before the dash.
local function offset_of(id)
  return tonumber(string.match(id, '^(%d+)'))
end

-- The next offset of the stream: one past its last entry, or past the last ID it ever generated
-- when retention emptied it, or 0 when it does not exist.
local function next_offset(key)
  local last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)
  if #last > 0 then
    return offset_of(last[1][1]) + 1
  end
  if redis.call('EXISTS', key) == 0 then
    return 0
  end
  local info = redis.call('XINFO', 'STREAM', key)
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      if info[i + 1] == '0-0' then
        return 0
      end
      return offset_of(info[i + 1]) + 1
    end
  end
  return 0
end

-- The log start offset: the first entry's offset, or the next offset when the stream is empty
-- (retention or DeleteRecords may have removed every entry).
local function log_start(key, nxt)
  local first = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)
  if #first > 0 then
    return offset_of(first[1][1])
  end
  return nxt or next_offset(key)
end
