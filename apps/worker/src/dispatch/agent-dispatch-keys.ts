/**
 * The Redis keys of one agent's slot accounting, in one hash slot: leases, the parked line, and
 * which attempt holds each execution's lease. With `keyId` (a concurrencyKeyId), those of one key
 * value's slots under the agent's maxConcurrencyPerKey.
 */
export function agentDispatchKeys(
  prefix: string,
  agentId: string,
  keyId?: string,
): [string, string, string] {
  const base = `${prefix}:dispatch:{agent:${agentId}${keyId ? `:key:${keyId}` : ''}}`;
  return [`${base}:slots`, `${base}:parked`, `${base}:owners`];
}

/** A SCAN pattern matching every agent's dispatch keys under the prefix. */
export function agentDispatchKeysPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:dispatch:{agent:*}:*`;
}

const AGENT_OF_KEY =
  /:dispatch:\{agent:([0-9a-f-]{36})(?::key:[A-Za-z0-9_-]+)?\}:(?:slots|parked|owners)$/;

/** The agent id a dispatch key belongs to, or null for any other key. */
export function agentOfDispatchKey(key: string): string | null {
  return AGENT_OF_KEY.exec(key)?.[1] ?? null;
}
