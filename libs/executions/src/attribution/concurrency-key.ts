import { createHash } from 'node:crypto';
import { ExecutionAttribution } from './attribution';

/** What an agent's per-key limits count by: the end user, the submitting key, or a metadata key. */
export const CONCURRENCY_KEY_PATTERN = /^(user|apiKey|metadata\.[A-Za-z0-9_.:-]{1,64})$/;

const METADATA_PREFIX = 'metadata.';

/**
 * The value an execution counts under for `concurrencyKey`, or null when it has none (no user,
 * no such metadata entry): such executions are not limited per key. A metadata value that is
 * not a string counts by its JSON text (`3` and `"3"` are different keys).
 */
export function concurrencyKeyValue(
  concurrencyKey: string,
  attribution: Pick<ExecutionAttribution, 'apiKeyId' | 'user' | 'metadata'>,
): string | null {
  if (concurrencyKey === 'user') return attribution.user;
  if (concurrencyKey === 'apiKey') return attribution.apiKeyId;
  if (!concurrencyKey.startsWith(METADATA_PREFIX)) return null;
  const value = attribution.metadata?.[concurrencyKey.slice(METADATA_PREFIX.length)];
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? `s:${value}` : `j:${JSON.stringify(value)}`;
}

/** A short, Redis-key-safe name for a key value (end-user ids may hold any character). */
export function concurrencyKeyId(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}
