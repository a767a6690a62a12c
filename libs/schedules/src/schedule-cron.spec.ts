import {
  assertValidCron,
  fireTimesBetween,
  nextFireTime,
  ScheduleCronError,
} from './schedule-cron';

const paris = (cron: string) => ({ cron, timezone: 'Europe/Paris', startAt: null, endAt: null });
const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe('schedule cron', () => {
  it('refuses a malformed expression, an unknown zone and more than one firing a minute', () => {
    expect(() => assertValidCron({ cron: '61 * * * *', timezone: 'UTC' }, false)).toThrow(
      ScheduleCronError,
    );
    expect(() => assertValidCron({ cron: '* * *', timezone: 'UTC' }, false)).toThrow(/5 fields/);
    expect(() => assertValidCron({ cron: '* * * * *', timezone: 'Mars/Olympus' }, false)).toThrow(
      /IANA/,
    );
    expect(() => assertValidCron({ cron: '*/5 * * * * *', timezone: 'UTC' }, false)).toThrow(
      /more than once a minute/,
    );
    expect(() => assertValidCron({ cron: '*/5 * * * * *', timezone: 'UTC' }, true)).not.toThrow();
    expect(() => assertValidCron({ cron: '30 * * * * *', timezone: 'UTC' }, false)).not.toThrow();
  });

  it('spring-forward day in Europe/Paris: 02:30 does not exist and fires at 03:30 CEST', () => {
    const times = fireTimesBetween(
      paris('30 2 * * *'),
      new Date('2026-03-28T12:00:00Z'),
      new Date('2026-03-30T12:00:00Z'),
    );
    // 2026-03-29 03:30 CEST = 01:30Z; the next day 02:30 CEST = 00:30Z.
    expect(iso(times)).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('fall-back day in Europe/Paris: 02:30 happens twice and fires once; hourly fires every real hour', () => {
    const daily = fireTimesBetween(
      paris('30 2 * * *'),
      new Date('2026-10-24T12:00:00Z'),
      new Date('2026-10-26T12:00:00Z'),
    );
    expect(iso(daily)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    const hourly = fireTimesBetween(
      paris('0 * * * *'),
      new Date('2026-10-24T23:30:00Z'),
      new Date('2026-10-25T02:30:00Z'),
    );
    // 02:00 CEST, 02:00 CET, 03:00 CET: one per real hour.
    expect(iso(hourly)).toEqual([
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ]);
  });

  it('keeps to startAt (inclusive) and endAt', () => {
    const spec = {
      cron: '*/10 * * * *',
      timezone: 'UTC',
      startAt: new Date('2026-01-01T10:00:00Z'),
      endAt: new Date('2026-01-01T10:30:00Z'),
    };
    expect(nextFireTime(spec, new Date('2026-01-01T00:00:00Z'))?.toISOString()).toBe(
      '2026-01-01T10:00:00.000Z',
    );
    expect(nextFireTime(spec, new Date('2026-01-01T10:30:00Z'))).toBeNull();
    expect(
      fireTimesBetween(spec, new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01')),
    ).toHaveLength(4);
  });
});
