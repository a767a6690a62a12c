import { ValidationFailedError } from './api-errors';
import { decodePosition, encodePosition } from './page-cursor';

const ID = '0d4f5b0e-4c8e-4a57-9a53-8f3a2b0c1d2e';
const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('decodePosition', () => {
  it('reads back what encodePosition wrote', () => {
    const position = { createdAt: '2024-05-31T12:00:00.123456Z', id: ID };
    expect(decodePosition(encodePosition(position))).toEqual(position);
  });

  it.each([
    forged({ createdAt: '2024-13-45T25:61:61.000000Z', id: ID }),
    forged({ createdAt: '2024-02-30T00:00:00.000000Z', id: ID }),
    forged({ createdAt: '0000-01-01T00:00:00.000000Z', id: ID }),
    forged({ createdAt: '2024-05-31T12:00:00.123456Z', id: 'not-a-uuid' }),
    forged({ createdAt: ['2024-05-31T12:00:00.123456Z'], id: ID }),
    forged(null),
    forged([1]),
    '%%%',
    'eyJ4IjoxfQ',
  ])('refuses the forged cursor %s with a 400 naming the field', (cursor) => {
    expect(() => decodePosition(cursor)).toThrow(ValidationFailedError);
    try {
      decodePosition(cursor);
    } catch (error) {
      expect((error as ValidationFailedError).details).toEqual([
        { field: 'cursor', message: 'cursor is not one this API issued' },
      ]);
    }
  });
});
