import { PlanRefusedError, renderTaskInput, TaskSpec, validatePlanGraph } from './plan-spec';

const task = (key: string, dependsOn: string[] = [], message = 'hi'): TaskSpec => ({
  key,
  agentId: 'a',
  input: { message },
  dependsOn,
});

function refusal(tasks: TaskSpec[]): PlanRefusedError {
  try {
    validatePlanGraph(tasks);
  } catch (error) {
    return error as PlanRefusedError;
  }
  throw new Error('not refused');
}

describe('validatePlanGraph', () => {
  it('orders a diamond', () => {
    const order = validatePlanGraph([
      task('D', ['B', 'C']),
      task('B', ['A']),
      task('C', ['A']),
      task('A'),
    ]);
    expect(order[0]).toBe('A');
    expect(order[3]).toBe('D');
  });

  it('names the keys of a cycle', () => {
    const error = refusal([task('A', ['C']), task('B', ['A']), task('C', ['B']), task('X')]);
    expect(error.code).toBe('plan_cycle');
    expect(error.message).toMatch(/A/);
    expect(error.message).toMatch(/B/);
    expect(error.message).toMatch(/C/);
    expect(error.message).not.toMatch(/X/);
  });

  it('refuses a self-dependency as a cycle', () => {
    expect(refusal([task('A', ['A'])]).code).toBe('plan_cycle');
  });

  it('refuses duplicate, malformed and unknown keys', () => {
    expect(refusal([task('A'), task('A')]).code).toBe('duplicate_task_key');
    expect(refusal([task('a b')]).code).toBe('invalid_task_key');
    expect(refusal([task('A', ['Z'])]).code).toBe('unknown_dependency');
  });

  it('allows transitive references and refuses others', () => {
    expect(() =>
      validatePlanGraph([task('A'), task('B', ['A']), task('C', ['B'], '{{tasks.A.output.text}}')]),
    ).not.toThrow();
    expect(
      refusal([task('A'), task('B'), task('C', ['B'], '{{ tasks.A.output.text }}')]).code,
    ).toBe('unreferenced_placeholder');
  });

  it('refuses more than 1,000 tasks', () => {
    const tasks = Array.from({ length: 1001 }, (_, n) => task(`t${n}`));
    expect(refusal(tasks).code).toBe('plan_too_large');
  });
});

describe('renderTaskInput', () => {
  it('fills plan input and task outputs', () => {
    const outputs = new Map([['B', 'bee']]);
    expect(
      renderTaskInput(
        { message: 'topic={{plan.input.topic.name}} b={{tasks.B.output.text}} {{other}}' },
        { topic: { name: 'cats' } },
        outputs,
      ),
    ).toEqual({ message: 'topic=cats b=bee {{other}}' });
    expect(
      renderTaskInput(
        { messages: [{ role: 'user', content: '{{tasks.B.output.text}}' }] },
        {},
        outputs,
      ),
    ).toEqual({ messages: [{ role: 'user', content: 'bee' }] });
  });
});
