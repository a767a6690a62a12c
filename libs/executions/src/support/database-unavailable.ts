// SQLSTATE classes that mean "the database is not there right now", not "this query is wrong".
const UNAVAILABLE_SQLSTATE_PREFIXES = ['08', '53', '57P'];

// Socket-level failures reaching PostgreSQL.
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// node-postgres raises these with no code at all, so their text is all there is to go on:
// a connection dropped mid-query, and the pool's connect timeout.
const CODELESS_DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
];

/**
 * True when an error says PostgreSQL is unreachable or shutting down (an outage, a failover, a
 * restart), as opposed to a bad statement or a bug. Looks through TypeORM's QueryFailedError
 * (driverError) and error causes.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  const candidate = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  const code = typeof candidate.code === 'string' ? candidate.code : '';
  if (NETWORK_ERROR_CODES.has(code)) return true;
  if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_SQLSTATE_PREFIXES.some((p) => code.startsWith(p))) {
    return true;
  }
  const message = typeof candidate.message === 'string' ? candidate.message : '';
  if (!code && CODELESS_DRIVER_MESSAGES.some((text) => message.includes(text))) return true;
  // AggregateError (a connect attempt to several addresses) carries one error per address.
  if (
    Array.isArray(candidate.errors) &&
    candidate.errors.some((e) => isDatabaseUnavailable(e, depth + 1))
  ) {
    return true;
  }
  return (
    isDatabaseUnavailable(candidate.driverError, depth + 1) ||
    isDatabaseUnavailable(candidate.cause, depth + 1)
  );
}
