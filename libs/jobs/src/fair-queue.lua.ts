// The Lua side of tenant fairness (see docs/fairness.md). A BullMQ priority is encoded as
// `1 + (S + (10 - p) * LEAD) * 10 + (10 - p)`: S is the job's virtual start tag (start-time
// fair queuing over (tenant, API priority) lanes), p its API priority 1..10, LEAD the head start
// one priority level buys. Every key is one of the queue's own, so a Redis Cluster hash tag on
// the queue prefix keeps them in one slot.
const COMMON = `
local rcall = redis.call
local LEAD = 100
local MAX_TAG = 208814
local SCORE_UNIT = 4294967296

local function encode(tag, priority)
  local offset = 10 - priority
  return 1 + (tag + offset * LEAD) * 10 + offset
end

-- nil for a priority this scheme did not write (a job queued before fairness existed)
local function decode(bullPriority)
  local x = bullPriority - 1
  local offset = x % 10
  local tag = math.floor(x / 10) - offset * LEAD
  if tag < 0 then return nil end
  return tag, 10 - offset
end

-- The virtual time: the tag of the job BullMQ would hand out next (the last one known if that
-- job predates fairness); when nothing waits, the highest tag handed out, so that every lane
-- starts level again. Returns the time, the highest tag, and whether anything waits.
local function virtualTime(prioritizedKey, stateKey)
  local state = rcall('HMGET', stateKey, 'v', 'max')
  local v = tonumber(state[1]) or 0
  local maxTag = tonumber(state[2]) or 0
  local head = rcall('ZRANGE', prioritizedKey, 0, 0, 'WITHSCORES')
  if head[2] == nil then return maxTag, maxTag, false end
  local headTag = decode(math.floor(tonumber(head[2]) / SCORE_UNIT))
  return headTag or v, maxTag, true
end
`;

/**
 * KEYS: prioritized, delayed, active, lanes (hash), state (hash).
 * ARGV[1]: the queue's job key prefix; then per job: tenant, API priority, kind, job id.
 * kind: `n` a new job, `r` a repeat (no lane advance if the job still exists), `d` delayed.
 * Returns the BullMQ priority of each job.
 */
export const ASSIGN_FAIR_PRIORITIES_LUA = `${COMMON}
local REBASE_AT = 131072
local jobPrefix = ARGV[1]
local v, maxTag, busy = virtualTime(KEYS[1], KEYS[5])
if not busy then rcall('DEL', KEYS[4]) end

local function shiftPriority(bullPriority, shift)
  local tag, priority = decode(bullPriority)
  if tag == nil then return bullPriority end
  return encode(math.max(0, tag - shift), priority)
end

local function shiftStoredPriority(jobId, shift)
  local jobKey = jobPrefix .. jobId
  local stored = tonumber(rcall('HGET', jobKey, 'priority'))
  if stored and stored > 0 then
    rcall('HSET', jobKey, 'priority', shiftPriority(stored, shift))
  end
end

-- Tags only grow; before they reach BullMQ's limit every tag in the queue moves down by v.
if v >= REBASE_AT then
  local shift = v
  local waiting = rcall('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  for i = 1, #waiting, 2 do
    local score = tonumber(waiting[i + 1])
    local bullPriority = math.floor(score / SCORE_UNIT)
    local shifted = shiftPriority(bullPriority, shift)
    if shifted ~= bullPriority then
      rcall('ZADD', KEYS[1], shifted * SCORE_UNIT + score % SCORE_UNIT, waiting[i])
      rcall('HSET', jobPrefix .. waiting[i], 'priority', shifted)
    end
  end
  for _, jobId in ipairs(rcall('ZRANGE', KEYS[2], 0, -1)) do shiftStoredPriority(jobId, shift) end
  for _, jobId in ipairs(rcall('LRANGE', KEYS[3], 0, -1)) do shiftStoredPriority(jobId, shift) end
  local lanes = rcall('HGETALL', KEYS[4])
  for i = 1, #lanes, 2 do
    local next = tonumber(lanes[i + 1]) - shift
    if next > 0 then rcall('HSET', KEYS[4], lanes[i], next) else rcall('HDEL', KEYS[4], lanes[i]) end
  end
  v = 0
  maxTag = math.max(0, maxTag - shift)
end

local lanes = {}
local results = {}
for i = 2, #ARGV, 4 do
  local tenant, kind, jobId = ARGV[i], ARGV[i + 2], ARGV[i + 3]
  local priority = math.min(10, math.max(1, math.floor(tonumber(ARGV[i + 1]) or 5)))
  local tag = v
  if kind == 'n' or (kind == 'r' and rcall('EXISTS', jobPrefix .. jobId) == 0) then
    local lane = tenant .. ':' .. priority
    local next = lanes[lane]
    if next == nil then next = tonumber(rcall('HGET', KEYS[4], lane)) or 0 end
    tag = math.min(math.max(v, next), MAX_TAG)
    lanes[lane] = tag + 1
    if tag > maxTag then maxTag = tag end
  end
  results[#results + 1] = encode(tag, priority)
end
for lane, next in pairs(lanes) do rcall('HSET', KEYS[4], lane, next) end
rcall('HSET', KEYS[5], 'v', v, 'max', maxTag)
return results
`;

/**
 * KEYS: prioritized, lanes (hash), state (hash). Returns [tenant, rounds, ...]: per tenant, the
 * tags its lanes hold beyond the virtual time, i.e. its jobs waiting in line.
 */
export const TENANT_BACKLOGS_LUA = `${COMMON}
local v, _, busy = virtualTime(KEYS[1], KEYS[3])
if not busy then return {} end
local totals = {}
local lanes = rcall('HGETALL', KEYS[2])
for i = 1, #lanes, 2 do
  local tenant = string.match(lanes[i], '^(.*):%d+$')
  local ahead = tonumber(lanes[i + 1]) - v
  if tenant and ahead > 0 then totals[tenant] = (totals[tenant] or 0) + ahead end
end
local out = {}
for tenant, count in pairs(totals) do
  out[#out + 1] = tenant
  out[#out + 1] = count
end
return out
`;
