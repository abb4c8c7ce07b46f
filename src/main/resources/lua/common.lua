-- Shared by every Korvet script; each script touches its partition stream KEYS[1] alone, and where it says so
-- the stream's companion start key KEYS[2] ('{<stream>}:start', in the stream's slot).
-- Two entry layouts share a stream key's shape: a 'record' entry is one record, its ID '<offset>-1'; a 'batch'
-- entry is one record batch, its ID '<last offset>-1', its first field 'base' (the batch's first offset).
-- So the part of an ID before the dash is the entry's last offset in both, and XRANGE from '<offset>-0' starts
-- with the entry holding that offset.
local function offset_of(id)
  return tonumber(string.match(id, '^(%d+)'))
end

-- The offset of an entry's first record.
local function first_offset(entry)
  local f = entry[2]
  if f[1] == 'base' then
    return tonumber(f[2])
  end
  return offset_of(entry[1])
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

-- The append fence: whether the stream ends at offset 'expected' (a number), as its next key says (the next offset,
-- kept by every append; the stream's own end when the key is missing) and with no entry past that end. Returns
-- true, or false and the log's actual next offset.
local function ends_at(key, nextkey, expected)
  local known = redis.call('GET', nextkey)
  local actual = known and tonumber(known) or next_offset(key)
  if actual ~= expected then
    return false, actual
  end
  local past = expected == 0 and '-' or ('(' .. string.format('%d', expected - 1) .. '-1')
  if #redis.call('XRANGE', key, past, '+', 'COUNT', 1) > 0 then
    -- The next key is behind the stream (written by something else than Korvet): the stream's own end counts.
    return false, next_offset(key)
  end
  return true
end

-- The log start offset: the first entry's first offset, or the offset in the start key when a DeleteRecords
-- moved it into the middle of that (batch) entry, or the next offset when the stream is empty (retention or
-- DeleteRecords may have removed every entry).
local function log_start(key, start_key, nxt)
  local first = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)
  if #first == 0 then
    return nxt or next_offset(key)
  end
  local start = first_offset(first[1])
  if start_key then
    local moved = tonumber(redis.call('GET', start_key) or '0')
    if moved > start then
      return moved
    end
  end
  return start
end

-- A partition's transaction index, kept beside the stream by the appends of transactional batches and markers (in
-- the stream's slot): the hash 'txns', producer id -> the first offset of its ongoing transaction, and the sorted set
-- 'aborted', one member '<producer id> <first offset> <marker offset>' per aborted transaction, scored by the offset of
-- its abort marker. action 'B': a transactional batch at 'offset' (begins the producer's transaction unless one is
-- ongoing); 'C': a commit marker; 'A': an abort marker at 'offset'.
local function txn_step(txns, aborted, action, pid, offset)
  if action == 'B' then
    redis.call('HSETNX', txns, pid, offset)
    return
  end
  local first = redis.call('HGET', txns, pid)
  if first then
    redis.call('HDEL', txns, pid)
    if action == 'A' then
      redis.call('ZADD', aborted, offset, pid .. ' ' .. first .. ' ' .. offset)
    end
  end
end
