import { registerDecorator, ValidationArguments } from 'class-validator';
import { z } from 'zod';
import { formatDuration } from '@agentq/logging';

// zod's ISO formats check real calendar dates (leap years, days per month, 00-23 hours).
const RFC3339 = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
// The instants PostgreSQL and Date.prototype.toISOString both accept as they are.
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * An RFC 3339 full-date (`2024-05-31`) or date-time with a zone (`2024-05-31T12:00:00Z`,
 * `...+02:00`) naming a real calendar day between years 1 and 9999. Week dates, ordinal dates
 * and the basic format (`20240531`) are refused.
 */
export function isCalendarTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !RFC3339.safeParse(value).success) return false;
  const instant = Date.parse(value);
  return instant >= EARLIEST && instant <= LATEST;
}

export interface CalendarTimestampOptions {
  /** Refuse instants further than this many milliseconds from now. */
  maxAheadMs?: number;
}

/** class-validator form of `isCalendarTimestamp`, reported under the field's name. */
export function IsCalendarTimestamp(options: CalendarTimestampOptions = {}): PropertyDecorator {
  const tooFar = (value: string) =>
    options.maxAheadMs !== undefined && Date.parse(value) - Date.now() > options.maxAheadMs;
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarTimestamp',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => isCalendarTimestamp(value) && !tooFar(value),
        defaultMessage: ({ property, value }: ValidationArguments) =>
          isCalendarTimestamp(value)
            ? `${property} may be at most ${formatDuration(options.maxAheadMs!)} from now`
            : `${property} must be an RFC 3339 date (2024-05-31) or date-time (2024-05-31T12:00:00Z) of a real calendar day`,
      },
    });
}
