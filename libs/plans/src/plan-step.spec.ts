import { dependentsOf, nextPlanStep, rerunsInPlan, TaskState } from './plan-step';

const diamond = (a: string, b: string, c: string, d: string): TaskState[] =>
  [
    { key: 'A', status: a, dependsOn: [] },
    { key: 'B', status: b, dependsOn: ['A'] },
    { key: 'C', status: c, dependsOn: ['A'] },
    { key: 'D', status: d, dependsOn: ['B', 'C'] },
  ] as TaskState[];

const running = { status: 'running' as const, failurePolicy: 'fail_fast' as const };
const continuing = { status: 'running' as const, failurePolicy: 'continue' as const };

describe('nextPlanStep', () => {
  it('starts the dependents of a success, and a fan-in only when all are done', () => {
    expect(nextPlanStep(running, diamond('succeeded', 'pending', 'pending', 'pending'))).toEqual({
      ready: ['B', 'C'],
      skip: [],
      cancel: [],
      status: 'running',
    });
    expect(
      nextPlanStep(running, diamond('succeeded', 'succeeded', 'running', 'pending')).ready,
    ).toEqual([]);
    expect(
      nextPlanStep(running, diamond('succeeded', 'succeeded', 'succeeded', 'pending')).ready,
    ).toEqual(['D']);
  });

  it('completes when every task succeeded', () => {
    expect(
      nextPlanStep(running, diamond('succeeded', 'succeeded', 'succeeded', 'succeeded')).status,
    ).toBe('succeeded');
  });

  it('fail_fast: fails the plan, skips pending and cancels active tasks', () => {
    expect(nextPlanStep(running, diamond('succeeded', 'failed', 'running', 'pending'))).toEqual({
      ready: [],
      skip: ['D'],
      cancel: ['C'],
      status: 'failed',
    });
  });

  it('continue: skips only dependents, lets other branches finish', () => {
    const tasks: TaskState[] = [
      { key: 'A', status: 'failed', dependsOn: [] },
      { key: 'B', status: 'pending', dependsOn: ['A'] },
      { key: 'C', status: 'pending', dependsOn: ['B'] },
      { key: 'X', status: 'running', dependsOn: [] },
      { key: 'Y', status: 'pending', dependsOn: ['X'] },
    ];
    expect(nextPlanStep(continuing, tasks)).toEqual({
      ready: [],
      skip: ['B', 'C'],
      cancel: [],
      status: 'running',
    });
    tasks[1].status = 'skipped';
    tasks[2].status = 'skipped';
    tasks[3].status = 'succeeded';
    expect(nextPlanStep(continuing, tasks)).toEqual({
      ready: ['Y'],
      skip: [],
      cancel: [],
      status: 'running',
    });
    tasks[4].status = 'succeeded';
    expect(nextPlanStep(continuing, tasks).status).toBe('failed');
  });

  it('a cancelled plan skips what is pending', () => {
    const step = nextPlanStep(
      { status: 'cancelled', failurePolicy: 'continue' },
      diamond('succeeded', 'cancelled', 'pending', 'pending'),
    );
    expect(step).toEqual({ ready: [], skip: ['C', 'D'], cancel: [], status: 'cancelled' });
  });

  describe('readiness', () => {
    const chain = (...statuses: string[]): TaskState[] =>
      statuses.map((status, i) => ({
        key: `T${i}`,
        status,
        dependsOn: i === 0 ? [] : [`T${i - 1}`],
      })) as TaskState[];

    it('starts every task without dependencies at once', () => {
      const tasks: TaskState[] = [
        { key: 'A', status: 'pending', dependsOn: [] },
        { key: 'B', status: 'pending', dependsOn: [] },
        { key: 'C', status: 'pending', dependsOn: ['A', 'B'] },
      ];
      expect(nextPlanStep(running, tasks)).toEqual({
        ready: ['A', 'B'],
        skip: [],
        cancel: [],
        status: 'running',
      });
    });

    it('waits on queued and running dependencies, and does not end the plan meanwhile', () => {
      for (const active of ['queued', 'running'] as const) {
        expect(nextPlanStep(running, chain('succeeded', active, 'pending'))).toEqual({
          ready: [],
          skip: [],
          cancel: [],
          status: 'running',
        });
      }
    });

    it('never starts a task twice: only pending tasks are ready', () => {
      expect(nextPlanStep(running, chain('succeeded', 'queued')).ready).toEqual([]);
      expect(nextPlanStep(running, chain('succeeded', 'succeeded')).status).toBe('succeeded');
    });

    it('continue: skips a fan-in as soon as one of its dependencies failed', () => {
      expect(
        nextPlanStep(continuing, diamond('succeeded', 'failed', 'running', 'pending')),
      ).toEqual({ ready: [], skip: ['D'], cancel: [], status: 'running' });
    });

    it('continue: skips the whole chain below a failure in one step', () => {
      expect(
        nextPlanStep(continuing, chain('succeeded', 'failed', 'pending', 'pending', 'pending')),
      ).toEqual({ ready: [], skip: ['T2', 'T3', 'T4'], cancel: [], status: 'failed' });
    });

    it('continue: skips below a task skipped earlier', () => {
      expect(nextPlanStep(continuing, chain('failed', 'skipped', 'pending')).skip).toEqual(['T2']);
    });
  });

  describe('status', () => {
    it('fail_fast: a cancelled task fails the plan like a failed one, cancelling queued tasks', () => {
      expect(nextPlanStep(running, diamond('succeeded', 'cancelled', 'queued', 'pending'))).toEqual(
        {
          ready: [],
          skip: ['D'],
          cancel: ['C'],
          status: 'failed',
        },
      );
    });

    it('continue: a plan whose tasks all ended with any failure or cancel is failed', () => {
      expect(
        nextPlanStep(continuing, diamond('succeeded', 'cancelled', 'succeeded', 'skipped')).status,
      ).toBe('failed');
      expect(
        nextPlanStep(continuing, diamond('succeeded', 'succeeded', 'failed', 'skipped')).status,
      ).toBe('failed');
    });

    it('continue: stays running while another branch is still active', () => {
      expect(
        nextPlanStep(continuing, diamond('succeeded', 'failed', 'running', 'skipped')).status,
      ).toBe('running');
    });

    it.each(['failed', 'succeeded'] as const)(
      'a plan already %s starts nothing more and keeps its status',
      (status) => {
        expect(
          nextPlanStep(
            { status, failurePolicy: 'fail_fast' },
            diamond('succeeded', 'pending', 'pending', 'pending'),
          ),
        ).toEqual({ ready: [], skip: ['B', 'C', 'D'], cancel: [], status });
      },
    );
  });
});

describe('rerunsInPlan', () => {
  it('puts a rerun in its plan only for a failed or cancelled task of a running plan', () => {
    expect(rerunsInPlan('running', 'failed')).toBe(true);
    expect(rerunsInPlan('running', 'cancelled')).toBe(true);
    expect(rerunsInPlan('running', 'succeeded')).toBe(false);
    expect(rerunsInPlan('failed', 'failed')).toBe(false);
    expect(rerunsInPlan('cancelled', 'cancelled')).toBe(false);
  });
});

describe('dependentsOf', () => {
  it('finds dependents through chains and fan-ins, in plan order', () => {
    const tasks = diamond('failed', 'skipped', 'succeeded', 'skipped');
    expect(dependentsOf(tasks, 'A')).toEqual(['B', 'C', 'D']);
    expect(dependentsOf(tasks, 'B')).toEqual(['D']);
    expect(dependentsOf(tasks, 'D')).toEqual([]);
  });
});
