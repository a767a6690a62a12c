// Field names whose values never reach the audit log (credentials, secrets, key material).
const SECRET_FIELD = /(key|secret|token|password|credential|ciphertext|hash|authorization)/i;

export const REDACTED = '[redacted]';

/** One changed field: what it was and what it became (absent: did not exist). */
export interface AuditChange {
  from?: unknown;
  to?: unknown;
}

export type AuditDiff = Record<string, AuditChange>;

// Ids are not secrets even when their name ends in "Key…Id" (apiKeyId, keyId…).
function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name) && !/id$/i.test(name) && !/^(prefix|scopes)$/i.test(name);
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, isSecretField(k) ? REDACTED : redactValue(v)]),
    );
  }
  return value;
}

const same = (a: unknown, b: unknown) =>
  JSON.stringify(a instanceof Date ? a.toISOString() : a) ===
  JSON.stringify(b instanceof Date ? b.toISOString() : b);

/**
 * The fields that differ between `before` and `after` (null: the target did not exist, or no
 * longer does), secrets redacted: a changed secret shows that it changed, never its value.
 * Timestamps the database keeps (createdAt, updatedAt) are left out.
 */
export function auditDiff(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): AuditDiff {
  const diff: AuditDiff = {};
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const field of fields) {
    if (field === 'createdAt' || field === 'updatedAt') continue;
    const from = before?.[field];
    const to = after?.[field];
    if (before && after && same(from, to)) continue;
    if (from === undefined && to === undefined) continue;
    const change: AuditChange = {};
    if (before && from !== undefined)
      change.from = isSecretField(field) ? REDACTED : redactValue(from);
    if (after && to !== undefined) change.to = isSecretField(field) ? REDACTED : redactValue(to);
    diff[field] = change;
  }
  return diff;
}
