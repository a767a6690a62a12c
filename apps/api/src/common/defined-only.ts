/** The entries whose value is not undefined: a PATCH body's fields that were actually sent. */
export function definedOnly<T extends object>(values: T): T {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as T;
}
