// The Redis side of dispatch: each script is one atomic step over one agent's or one provider's
// keys, timed by the Redis server's clock so that every worker shares one notion of "now".

const NOW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/**
 * Slot leases are owned by one attempt: the member is `<execution id>|<attempt token>`, so a
 * duplicate of an attempt (its job taken over after a lost lock) neither shares nor frees the
 * slot of the attempt it duplicates, and the owners hash (execution id → member) makes it wait
 * while that attempt's lease lives: one execution never calls the provider from two attempts at
 * once. A slot handed over to a parked execution is reserved under the bare execution id until
 * one of its attempts takes it.
 *
 * KEYS: leases (zset member → lease expiry), parked (zset execution id → park order), owners.
 * ARGV: attempt's member, execution id, limit, lease ttl ms, park score.
 * Takes a slot (or the one reserved for this execution) and returns {1, 0}. Else returns
 * {0, ms until the lease it waits for ends}: while another attempt of the execution holds a
 * lease, that one's (it does not join the line); otherwise the first lease's, parked in line
 * (keeping its first place).
 */
export const ACQUIRE_SLOT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ttl = tonumber(ARGV[4])
local sibling = redis.call('HGET', KEYS[3], ARGV[2])
if sibling and sibling ~= ARGV[1] then
  local expiry = redis.call('ZSCORE', KEYS[1], sibling)
  if expiry then return {0, tonumber(expiry) - now} end
end
local holds = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not holds and redis.call('ZREM', KEYS[1], ARGV[2]) == 1 then holds = true end
if holds or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl * 2)
  redis.call('PEXPIRE', KEYS[3], ttl * 2)
  redis.call('ZREM', KEYS[2], ARGV[2])
  return {1, 0}
end
redis.call('ZADD', KEYS[2], 'NX', ARGV[5], ARGV[2])
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(first[2]) - now}`;

/**
 * KEYS: leases, parked, owners. ARGV: member to release ('' for none), limit, lease ttl ms,
 * execution id whose reserved slot to report ('' for none), the member's execution id.
 * Frees the member's slot, then hands every free slot to the first parked executions (reserved
 * under their ids) and returns their ids: the caller wakes them.
 */
export const RELEASE_SLOT = `${NOW}
local woken = {}
if ARGV[4] ~= '' and redis.call('ZSCORE', KEYS[1], ARGV[4]) then woken[1] = ARGV[4] end
if ARGV[1] ~= '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  if redis.call('HGET', KEYS[3], ARGV[5]) == ARGV[1] then redis.call('HDEL', KEYS[3], ARGV[5]) end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ttl = tonumber(ARGV[3])
local free = tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[1])
while free > 0 do
  local head = redis.call('ZPOPMIN', KEYS[2])
  if #head == 0 then break end
  redis.call('ZADD', KEYS[1], now + ttl, head[1])
  redis.call('PEXPIRE', KEYS[1], ttl * 2)
  woken[#woken + 1] = head[1]
  free = free - 1
end
return woken`;

/**
 * KEYS: leases. ARGV: attempt's member, lease ttl ms.
 * Extends a lease that is still valid and returns 1; a lease gone (Redis lost it) or already
 * expired (its worker stalled past it: the slot may be someone else's now) is not restored: 0.
 */
export const RENEW_SLOT = `${NOW}
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expiry or tonumber(expiry) <= now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return 1`;

/**
 * KEYS: pacing state (hash: next free request time, next free token time), pause (string:
 * pause end), turns (zset id → granted send time).
 * ARGV: execution id, ms between requests (0: none), ms per token (0: none), estimated tokens.
 * Returns {'ok', 0}, or {'provider_paused' | 'rate_limit', ms to wait}. A later turn is granted
 * once and kept for the execution, so a waiting call comes back to its own turn, not the end of
 * the line; a pause drops turns, and their owners queue again after it.
 */
export const TAKE_TURN = `${NOW}
local pausedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
if pausedUntil > now then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {'provider_paused', pausedUntil - now}
end
local granted = redis.call('ZSCORE', KEYS[3], ARGV[1])
if granted then
  granted = tonumber(granted)
  if granted > now then return {'rate_limit', math.ceil(granted - now)} end
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {'ok', 0}
end
local requestInterval = tonumber(ARGV[2])
local tokenInterval = tonumber(ARGV[3])
local start = now
local nextRequest = tonumber(redis.call('HGET', KEYS[1], 'requests') or '0')
local nextToken = tonumber(redis.call('HGET', KEYS[1], 'tokens') or '0')
if requestInterval > 0 and nextRequest > start then start = nextRequest end
if tokenInterval > 0 and nextToken > start then start = nextToken end
if requestInterval > 0 then redis.call('HSET', KEYS[1], 'requests', start + requestInterval) end
if tokenInterval > 0 then
  redis.call('HSET', KEYS[1], 'tokens', start + tonumber(ARGV[4]) * tokenInterval)
end
local keep = math.ceil(start - now) + 120000
redis.call('PEXPIRE', KEYS[1], keep)
if start <= now then return {'ok', 0} end
redis.call('ZADD', KEYS[3], start, ARGV[1])
redis.call('PEXPIRE', KEYS[3], keep)
return {'rate_limit', math.ceil(start - now)}`;

/**
 * KEYS: pacing state. ARGV: ms to move the next free token time by (negative gives back).
 * The after-the-call correction of a token estimate.
 */
export const CORRECT_TOKENS = `
if redis.call('HEXISTS', KEYS[1], 'tokens') == 1 then
  redis.call('HINCRBYFLOAT', KEYS[1], 'tokens', ARGV[1])
end
return 1`;

/**
 * KEYS: pacing state, pause. ARGV: pause ms.
 * Pauses the provider until now + ms unless it is already paused longer; pacing resumes after
 * the pause. Returns {ms left in the pause, ms this call added to it}.
 */
export const PAUSE_PROVIDER = `${NOW}
local pauseMs = tonumber(ARGV[1])
local untilMs = now + pauseMs
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if untilMs <= previous then return {previous - now, 0} end
redis.call('SET', KEYS[2], untilMs, 'PX', pauseMs)
for _, field in ipairs({'requests', 'tokens'}) do
  local next = tonumber(redis.call('HGET', KEYS[1], field) or '0')
  if next < untilMs then redis.call('HSET', KEYS[1], field, untilMs) end
end
redis.call('PEXPIRE', KEYS[1], pauseMs + 120000)
local from = previous
if from < now then from = now end
return {pauseMs, untilMs - from}`;
