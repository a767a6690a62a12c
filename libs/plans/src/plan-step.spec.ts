import { nextPlanStep, TaskState } from './plan-step';

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
});
