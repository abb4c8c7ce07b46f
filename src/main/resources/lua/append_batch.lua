-- Appends one record batch as one entry, if the log is where the leader expects it.
-- ARGV: the batch's base offset (the next offset the leader expects), its entry ID ('<last offset>-1'), then
-- the values of the fields count, maxts, pid, epoch, seq, flags and data (the v2 batch bytes, as Fetch returns
-- them); the field names are this script's constants.
-- Returns {1} when appended, {0, actual next offset} when fenced (nothing written).
local key = KEYS[1]
local actual = next_offset(key)
if actual ~= tonumber(ARGV[1]) then
  return {0, actual}
end
redis.call('XADD', key, ARGV[2], 'base', ARGV[1], 'count', ARGV[3], 'maxts', ARGV[4], 'pid', ARGV[5],
  'epoch', ARGV[6], 'seq', ARGV[7], 'flags', ARGV[8], 'data', ARGV[9])
return {1}
