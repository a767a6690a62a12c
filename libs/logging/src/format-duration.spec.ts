import { formatDuration } from './format-duration';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [300, '300 ms'],
    [1_000, '1 s'],
    [5_000, '5 s'],
    [1_500, '1.5 s'],
    [90_000, '1.5 min'],
    [2 * 3_600_000, '2 h'],
    [86_400_000, '1 day'],
    [3 * 86_400_000, '3 days'],
    [0.00005787037037037037 * 86_400_000, '5 s'],
  ])('writes %p ms as %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
