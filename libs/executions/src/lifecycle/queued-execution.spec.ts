import { queuedExecution } from './queued-execution';

const row = {
  id: 'e1',
  tenantId: 't1',
  agentId: 'a1',
  priority: 5,
  runAt: null,
  attempts: 0,
  maxAttempts: 3,
};

describe('queuedExecution', () => {
  it('runs a new execution now with all its attempts', () => {
    expect(queuedExecution(row, true, 1_000)).toEqual({
      executionId: 'e1',
      tenantId: 't1',
      agentId: 'a1',
      priority: 5,
      delayMs: 0,
      maxAttempts: 3,
      isNew: true,
    });
  });

  it('delays the job until runAt, and not at all once runAt has passed', () => {
    const runAt = new Date(10_000);
    expect(queuedExecution({ ...row, runAt }, true, 4_000).delayMs).toBe(6_000);
    expect(queuedExecution({ ...row, runAt }, true, 12_000).delayMs).toBe(0);
  });

  it('gives a requeued execution only the attempts it has left, and at least one', () => {
    expect(queuedExecution({ ...row, attempts: 2 }, false).maxAttempts).toBe(1);
    expect(queuedExecution({ ...row, attempts: 3 }, false).maxAttempts).toBe(1);
    expect(queuedExecution({ ...row, attempts: 1 }, false)).toMatchObject({
      maxAttempts: 2,
      isNew: false,
    });
  });
});
