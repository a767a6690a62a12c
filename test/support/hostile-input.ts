import fc from 'fast-check';

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

const year = fc.integer({ min: 0, max: 10_000 });
const calendarShaped = fc
  .tuple(year, fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
  .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);
const clock = fc
  .tuple(
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
    fc.integer({ min: 0, max: 61 }),
  )
  .map(([h, m, s]) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`);
const fraction = fc.constantFrom('', '.5', '.123', '.123456', '.1234567890');
const zone = fc.constantFrom('Z', 'z', '', '+00:00', '-05:30', '+14:00', '+24:00', '+0100');

/** Strings shaped like dates: mostly impossible calendar values and the formats RFC 3339 leaves out. */
export const dateLike: fc.Arbitrary<string> = fc.oneof(
  calendarShaped,
  fc
    .tuple(calendarShaped, fc.constantFrom('T', 't', ' '), clock, fraction, zone)
    .map((parts) => parts.join('')),
  fc
    .tuple(year, fc.integer({ min: 0, max: 54 }), fc.option(fc.integer({ min: 0, max: 8 })))
    .map(([y, w, d]) => `${pad(y, 4)}-W${pad(w, 2)}${d === null ? '' : `-${d}`}`),
  fc.tuple(year, fc.integer({ min: 0, max: 367 })).map(([y, d]) => `${pad(y, 4)}-${pad(d, 3)}`),
  fc
    .tuple(year, fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.boolean())
    .map(
      ([y, m, d, withTime]) => `${pad(y, 4)}${pad(m, 2)}${pad(d, 2)}${withTime ? 'T000000Z' : ''}`,
    ),
  fc.string({ maxLength: 30 }),
);

/** Cursors a client could forge: well-formed envelopes holding impossible dates, or any bytes. */
export const forgedCursor: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({
      createdAt: fc.oneof(
        fc
          .tuple(calendarShaped, clock, fc.integer({ min: 0, max: 999_999 }))
          .map(([date, time, micros]) => `${date}T${time}.${pad(micros, 6)}Z`),
        dateLike,
        fc.jsonValue({ maxDepth: 1 }),
      ),
      id: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })),
    })
    .map(base64url),
  fc.jsonValue({ maxDepth: 2 }).map(base64url),
  fc.base64String({ maxLength: 60 }),
  fc.string({ maxLength: 60 }),
);

// Every object inside `value`, itself included, in a stable order.
function objectsIn(value: unknown): Record<string, unknown>[] {
  if (value === null || typeof value !== 'object') return [];
  const children = Object.values(value).flatMap(objectsIn);
  return Array.isArray(value) ? children : [value as Record<string, unknown>, ...children];
}

export interface ReservedKeyBody {
  body: string;
  key: string;
}

/** `valid` with a reserved key as an own property somewhere inside it (JSON keeps `__proto__`). */
export const withReservedKey = (valid: Record<string, unknown>): fc.Arbitrary<ReservedKeyBody> =>
  fc
    .record({
      key: fc.constantFrom(...RESERVED_KEYS),
      at: fc.nat(),
      under: fc.option(
        fc
          .string({ minLength: 1, maxLength: 8 })
          .filter((k) => !RESERVED_KEYS.includes(k as never)),
      ),
      value: fc.jsonValue({ maxDepth: 2 }),
    })
    .map(({ key, at, under, value }) => {
      const body = structuredClone(valid);
      const objects = objectsIn(body);
      let holder = objects[at % objects.length];
      if (under !== null) {
        const nested = {};
        holder[under] = nested;
        holder = nested;
      }
      Object.defineProperty(holder, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return { body: JSON.stringify(body), key };
    });
