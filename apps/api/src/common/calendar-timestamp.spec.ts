import { isCalendarTimestamp } from './calendar-timestamp';

describe('isCalendarTimestamp', () => {
  it.each([
    '2024-02-29',
    '2024-05-31',
    '2024-05-31T12:00:00Z',
    '2024-05-31T12:00:00.123456Z',
    '2024-05-31T23:59:59+14:00',
    '0001-01-01',
    '9999-12-31T23:59:59Z',
  ])('accepts %s', (value) => expect(isCalendarTimestamp(value)).toBe(true));

  it.each([
    '2023-02-29',
    '2024-02-30',
    '2024-06-31',
    '2024-13-01',
    '2024-W05',
    '2024-W05-1',
    '2024-123',
    '20240101',
    '20240101T000000Z',
    '0000-01-01',
    '2024-13-45T25:61:61Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:00Z',
    '2024-01-01T00:00:00',
    '0001-01-01T00:00:00+01:00',
    '9999-12-31T23:59:59-01:00',
    'yesterday',
    '',
    20240101,
    null,
  ])('refuses %p', (value) => expect(isCalendarTimestamp(value)).toBe(false));
});
