-- A partition's offsets as any broker may read them, without claiming it (a follower's fetch, KIP-392):
-- {log start offset, next offset}. KEYS: the stream, its start key, its next key (kept by every append).
local known = redis.call('GET', KEYS[3])
local nxt = known and tonumber(known) or next_offset(KEYS[1])
return {log_start(KEYS[1], KEYS[2], nxt), nxt}
