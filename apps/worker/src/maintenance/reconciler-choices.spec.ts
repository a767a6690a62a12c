import { JobPresence } from './job-presence';
import { jobIsGone, overdueRunningChoice } from './reconciler-choices';

describe('the reconciler choices', () => {
  it.each<[JobPresence | undefined, boolean]>([
    ['missing', true],
    ['finished', true],
    [undefined, false],
    ['locked', false],
    ['pending', false],
  ])('a queued row whose job is %s is enqueued again: %s', (state, gone) => {
    expect(jobIsGone(state)).toBe(gone);
  });

  it.each<[JobPresence, number, number, string]>([
    ['locked', 1, 3, 'leave'],
    ['locked', 3, 3, 'leave'],
    ['pending', 3, 3, 'leave'],
    ['missing', 1, 3, 'requeue'],
    ['finished', 2, 3, 'requeue'],
    ['missing', 3, 3, 'fail'],
    ['finished', 3, 3, 'fail'],
  ])(
    'an overdue running execution whose job is %s, attempt %i of %i: %s',
    (state, attempts, maxAttempts, choice) => {
      expect(overdueRunningChoice(state, attempts, maxAttempts)).toBe(choice);
    },
  );
});
