import { ValidationFailedError } from './api-errors';
import { isCalendarTimestamp } from './calendar-timestamp';

/** A position in a (created_at, id) keyset listing: the last row seen. */
export interface Position {
  createdAt: string;
  id: string;
}

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** created_at as PostgreSQL stores it (microseconds), for cursors a JS Date would round. */
export const microsSql = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const encodePosition = (position: Position) =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

/** A cursor is client input: anything but a position this API could have issued is a 400. */
export function decodePosition(value: string, field = 'cursor'): Position {
  let cursor: unknown = null;
  try {
    cursor = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    // reported below
  }
  const { createdAt, id } = (cursor ?? {}) as Partial<Record<keyof Position, unknown>>;
  if (
    typeof createdAt === 'string' &&
    typeof id === 'string' &&
    ISO_MICROS.test(createdAt) &&
    isCalendarTimestamp(createdAt) &&
    UUID.test(id)
  ) {
    return { createdAt, id };
  }
  throw new ValidationFailedError([{ field, message: `${field} is not one this API issued` }]);
}
