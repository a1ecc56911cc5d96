"""The Redis store's Lua scripts: one per store operation that must change several keys at once
or decide on what it reads, so that each is one command, atomic across workers."""

from __future__ import annotations

from .redis_pipe import Script

# A payment, and where it is found: its order's payments (scored by creation; NX keeps the
# first score, so later saves leave its place alone) and the set of every payment. With a
# transaction row (ARGV[5] not empty): the owner's rows (KEYS[4]), one sorted set with every
# score 0 so that it is ordered by member (the sort key, a newline, the row), and a hash from
# each transactionKey to its member (KEYS[5], for cursors). With a retention (ARGV[4] > 0, in
# seconds), the payment and its order's list live that long after their last change, and rows
# older than the cutoff sort key ARGV[7] leave (a few per save, oldest first: rows come in time
# order). Then the locks KEYS[6...] that the token ARGV[8] still holds are released: a locked
# section's last save and its release are one command.
# KEYS: pay:<paymentKey>, orderpays:<mId>:<orderId>, pays, txs:<owner>, txkeys:<owner>[, locks]
# ARGV: record, createdAt, paymentKey, retention, member | '', transactionKey, cutoff[, token]
PUT_PAYMENT = Script("""
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('ZADD', KEYS[2], 'NX', ARGV[2], ARGV[3])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[2], ttl)
end
redis.call('SADD', KEYS[3], ARGV[3])
if ARGV[5] ~= '' then
  redis.call('ZADD', KEYS[4], 0, ARGV[5])
  redis.call('HSET', KEYS[5], ARGV[6], ARGV[5])
  if ttl > 0 then
    for _, old in ipairs(redis.call('ZRANGEBYLEX', KEYS[4], '-', '(' .. ARGV[7], 'LIMIT', 0, 16)) do
      redis.call('ZREM', KEYS[4], old)
      redis.call('HDEL', KEYS[5], string.match(old, '|([^\\n]*)\\n'))
    end
  end
end
for i = 6, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[8] then
    redis.call('DEL', KEYS[i])
  end
end
""")

# Every lock of the first n KEYS or none (ARGV: the holder's token, the expiry in ms): a holder
# never waits for a second lock while holding a first, so no two holders can each wait for the
# other. The start of LOCK and LOCK_LOAD.
_TAKE = """
local function take(n)
  for i = 1, n do
    if not redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ARGV[2]) then
      for j = 1, i - 1 do
        redis.call('DEL', KEYS[j])
      end
      return false
    end
  end
  return true
end
"""

# The first ARGV[3] KEYS locked, then, in the same step, what the section reads: the payment,
# the clock's offset and (when given) the order's payment keys, oldest first. Nil when a lock is
# taken: the caller retries.
# KEYS: locks..., pay:<paymentKey>, clock[, orderpays:<mId>:<orderId>]
LOCK_LOAD = Script(
    _TAKE
    + """
local n = tonumber(ARGV[3])
if not take(n) then
  return false
end
local order = {}
if KEYS[n + 3] then
  order = redis.call('ZRANGE', KEYS[n + 3], 0, -1)
end
return {redis.call('GET', KEYS[n + 1]), redis.call('GET', KEYS[n + 2]), order}
"""
)

# Every lock of KEYS or none. 1 when taken, 0 when not.
LOCK = Script(
    _TAKE
    + """
if take(#KEYS) then
  return 1
end
return 0
"""
)

# Release what the token still holds (a lock past its expiry may be someone else's by now).
UNLOCK = Script("""
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('DEL', KEYS[i])
  end
end
""")

# A running request's record lives only as long as its Redis TTL (real seconds, renewed
# while it runs), so any record still there in state "processing" is held; a finished
# one is judged on the sandbox clock (ARGV[2]).
IDEM_BEGIN = Script("""
local raw = redis.call('GET', KEYS[1])
if raw then
  local rec = cjson.decode(raw)
  if rec['state'] == 'processing' or tonumber(rec['expiresAt']) > tonumber(ARGV[2]) then
    return raw
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return false
""")

# Compare-and-set on a running request's hold: act only while no other run holds the key,
# i.e. it holds exactly the record this run wrote (its token is in it) or nothing (the hold
# ran out and nobody took the key: the run still stores its answer). ARGV[2]: renew |
# finish | abort.
IDEM_HOLDER = Script("""
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then
  return 0
end
if ARGV[2] == 'renew' then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
elseif ARGV[2] == 'finish' then
  redis.call('SET', KEYS[1], ARGV[4], 'EX', ARGV[3])
elseif cur then
  redis.call('DEL', KEYS[1])
end
return 1
""")

# The next step of a fault rule: the first one of a rule that stays (ARGV[1] = 'forever'),
# else taken off its list; a rule whose steps ran out is removed. KEYS: fsteps:<id>, faults.
# ARGV: forever | once, the rule's id.
TAKE_STEP = Script("""
local step
if ARGV[1] == 'forever' then
  step = redis.call('LINDEX', KEYS[1], 0)
else
  step = redis.call('LPOP', KEYS[1])
end
if not step or redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HDEL', KEYS[2], ARGV[2])
end
return step
""")

# Append to a log list that keeps only its newest ARGV[2] entries.
PUSH_CAPPED = Script("""
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
""")

# A fault rule (KEYS[1] field ARGV[1] = ARGV[2]) with its steps (KEYS[2], ARGV[3...]), at once.
ADD_FAULT = Script("""
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if #ARGV > 2 then
  redis.call('RPUSH', KEYS[2], unpack(ARGV, 3))
end
""")

# The webhook retries due by ARGV[1], taken off the set: of several workers flushing at once,
# exactly one sends each.
TAKE_DUE = Script("""
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, item in ipairs(due) do
  redis.call('ZREM', KEYS[1], item)
end
return due
""")
