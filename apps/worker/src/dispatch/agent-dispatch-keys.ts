/**
 * The Redis keys of one agent's slot accounting, in one hash slot: leases, the parked line, and
 * which attempt holds each execution's lease.
 */
export function agentDispatchKeys(prefix: string, agentId: string): [string, string, string] {
  const base = `${prefix}:dispatch:{agent:${agentId}}`;
  return [`${base}:slots`, `${base}:parked`, `${base}:owners`];
}

/** A SCAN pattern matching every agent's dispatch keys under the prefix. */
export function agentDispatchKeysPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}:dispatch:{agent:*}:*`;
}

const AGENT_OF_KEY = /:dispatch:\{agent:([0-9a-f-]{36})\}:(?:slots|parked|owners)$/;

/** The agent id a dispatch key belongs to, or null for any other key. */
export function agentOfDispatchKey(key: string): string | null {
  return AGENT_OF_KEY.exec(key)?.[1] ?? null;
}
