-- The fence of a batch-format append, the first command of its MULTI ... EXEC (see BatchAppend): the batch's
-- bytes never pass through Lua, where Redis hashes every byte of every string (about 2 ns a byte: twice the
-- cost of the whole XADD for a 16 KiB batch). It is followed by XADD KEYS[3] NOMKSTREAM <the entry> and
-- RENAME KEYS[3] KEYS[1].
-- KEYS: the stream, its next key (the next offset, kept by every append), its appending key, its leader key.
-- ARGV: the base offset the leader expects, the next offset after the batch, and the leader value
-- ('<epoch> <node>') the appending broker claimed: when another broker claimed the partition since, returns {-1}
-- and writes nothing.
-- When the log ends where the leader expects (ends_at), moves the stream to the appending key, where the XADD
-- writes, for the RENAME to move it back, and sets the next key; returns {1}. Otherwise (fenced) leaves
-- everything as it is: the XADD finds no key and writes nothing, the RENAME fails; returns {0, actual next offset}.
-- With six keys (a transactional batch or a marker), KEYS[5] and KEYS[6] are the partition's transaction index and
-- ARGV[4..6] its update (action, producer id, offset: see txn_step in common.lua), made with the fence.
-- Run out of a transaction (commands Lettuce re-sends after a reconnect, a suffix of the group), each step
-- still writes only what the fence allows.
local stream, nextkey, appending = KEYS[1], KEYS[2], KEYS[3]
if redis.call('GET', KEYS[4]) ~= ARGV[3] then
  return {-1}
end
local ok, actual = ends_at(stream, nextkey, tonumber(ARGV[1]))
if not ok then
  return {0, actual}
end
if redis.call('EXISTS', stream) == 1 then
  redis.call('RENAME', stream, appending)
elseif redis.call('EXISTS', appending) == 0 then
  -- The partition's first entry: an empty stream for the XADD NOMKSTREAM.
  redis.call('XGROUP', 'CREATE', appending, 'korvet-new', '$', 'MKSTREAM')
  redis.call('XGROUP', 'DESTROY', appending, 'korvet-new')
end
redis.call('SET', nextkey, ARGV[2])
if #KEYS >= 6 then
  txn_step(KEYS[5], KEYS[6], ARGV[4], ARGV[5], ARGV[6])
end
return {1}
