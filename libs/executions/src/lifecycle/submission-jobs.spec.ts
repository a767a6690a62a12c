import { AgentExecution, ExecutionStatus } from '@agentq/database';
import { outcomesWithoutQueue, submissionJobs } from './submission-jobs';

function execution(id: string, status: ExecutionStatus = 'queued'): AgentExecution {
  return Object.assign(new AgentExecution(), {
    id,
    tenantId: 't1',
    agentId: 'a1',
    status,
    priority: 0,
    runAt: null,
    attempts: 0,
    maxAttempts: 3,
  });
}

const created = (id: string) => ({ execution: execution(id), created: true });
const repeated = (id: string, status: ExecutionStatus = 'queued') => ({
  execution: execution(id, status),
  created: false,
});

describe('submissionJobs', () => {
  it('adds a new job for each created execution', () => {
    const { created: rows, jobs } = submissionJobs(
      [{ ok: true, value: [created('e1'), created('e2')] }],
      [],
      0,
    );
    expect(rows.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(jobs.map((j) => [j.executionId, j.isNew])).toEqual([
      ['e1', true],
      ['e2', true],
    ]);
  });

  it('re-adds the job of a repeat that is still queued, once, and not as new', () => {
    const { created: rows, jobs } = submissionJobs(
      [
        { ok: true, value: [repeated('e1')] },
        { ok: true, value: [repeated('e1')] },
      ],
      [],
      0,
    );
    expect(rows).toEqual([]);
    expect(jobs.map((j) => [j.executionId, j.isNew])).toEqual([['e1', false]]);
  });

  it('adds nothing for a repeat of a running or ended execution, or a refused submission', () => {
    const { jobs } = submissionJobs(
      [
        { ok: true, value: [repeated('e1', 'running'), repeated('e2', 'succeeded')] },
        { ok: false, error: new Error('agent_not_found') },
      ],
      [],
      0,
    );
    expect(jobs).toEqual([]);
  });

  it('does not add a created execution twice when the same write also repeats it', () => {
    const { jobs } = submissionJobs(
      [
        { ok: true, value: [created('e1')] },
        { ok: true, value: [repeated('e1')] },
      ],
      [],
      0,
    );
    expect(jobs.map((j) => [j.executionId, j.isNew])).toEqual([['e1', true]]);
  });
});

describe('submissionJobs trace context', () => {
  it('gives each job the trace context of the submission that caused it', () => {
    const { jobs } = submissionJobs(
      [
        { ok: true, value: [created('e1')] },
        { ok: true, value: [created('e2'), repeated('e3')] },
      ],
      ['00-a-01', '00-b-01'],
      0,
    );
    expect(jobs.map((j) => [j.executionId, j.traceparent])).toEqual([
      ['e1', '00-a-01'],
      ['e2', '00-b-01'],
      ['e3', '00-b-01'],
    ]);
  });
});

describe('outcomesWithoutQueue', () => {
  it('fails the submissions whose rows were withdrawn and keeps those whose rows stand', () => {
    const error = new Error('redis down');
    const refusal = { ok: false as const, error: new Error('agent_not_found') };
    const outcomes = outcomesWithoutQueue(
      [
        { ok: true, value: [created('e1')] },
        { ok: true, value: [repeated('e2')] },
        { ok: true, value: [repeated('e3'), created('e4')] },
        { ok: true, value: [created('e5')] },
        refusal,
      ],
      error,
      new Set(['e1', 'e4']),
    );
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error))).toEqual([
      error,
      'ok',
      error,
      'ok',
      refusal.error,
    ]);
  });
});
