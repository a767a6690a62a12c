import { QueryFailedError } from 'typeorm';

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/** True when a query failed with this SQLSTATE on this constraint (by name, never message text). */
export function isConstraintViolation(
  error: unknown,
  sqlState: string,
  constraint: string,
): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string } | undefined;
  return driverError?.code === sqlState && driverError.constraint === constraint;
}
