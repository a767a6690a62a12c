import { executionJobOptions, toBullPriority } from './execution.job';

describe('execution job contract', () => {
  it('maps API priority 10 (most urgent) to BullMQ priority 1 (first)', () => {
    expect(toBullPriority(10)).toBe(1);
    expect(toBullPriority(1)).toBe(10);
  });

  it('uses the execution id as the job id', () => {
    const options = executionJobOptions({
      executionId: 'e1',
      tenantId: 't1',
      priority: 5,
      delayMs: 0,
      maxAttempts: 3,
    });
    expect(options).toMatchObject({ jobId: 'e1', attempts: 3, priority: 6 });
    expect(options.delay).toBeUndefined();
  });

  it('takes the priority the fair queue assigned, when there is one', () => {
    const spec = { executionId: 'e1', tenantId: 't1', priority: 5, delayMs: 0, maxAttempts: 3 };
    expect(executionJobOptions({ ...spec, queuePriority: 5_006 }).priority).toBe(5_006);
  });
});
