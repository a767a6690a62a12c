import { AgentExecution, ExecutionStatus } from '@agentq/database';
import { ExecutionStep } from './execution-step';
import { planRerun } from './rerun-plan';

const source = (status: ExecutionStatus = 'failed') =>
  ({
    id: 'e1',
    status,
    priority: 7,
    input: { message: 'hi' },
    maxAttempts: 3,
    timeoutMs: null,
    actionTimeoutMs: null,
    stream: false,
    responseFormat: null,
    maxCostUsd: '0.5',
    maxTokens: null,
    llmConfigOverride: null,
    toolsOverride: null,
    handoffToAgentId: 'a2',
    storeOutputAsMemory: true,
    sessionId: 's1',
    apiKeyId: 'k-original',
    endUser: 'u1',
    tags: ['nightly'],
    metadata: { team: 'red' },
  }) as unknown as AgentExecution;

const step = (index: number, type: 'model' | 'tool') => ({ index, type }) as ExecutionStep;
// model 0 asked for two tools (1, 2); model 3 asked for one (4); model 5 failed the run.
const steps = [
  step(0, 'model'),
  step(1, 'tool'),
  step(2, 'tool'),
  step(3, 'model'),
  step(4, 'tool'),
  step(5, 'model'),
];

describe('planRerun', () => {
  it('reruns an ended execution from scratch with its settings, and no follow-ups', () => {
    const plan = planRerun(source('succeeded'), steps, {});
    expect(plan).toMatchObject({
      ok: true,
      execution: {
        priority: 7,
        input: { message: 'hi' },
        maxCostUsd: '0.5',
        sessionId: null,
        handoffToAgentId: null,
        storeOutputAsMemory: false,
        rerun: { executionId: 'e1', fromStep: 0 },
      },
    });
  });

  it.each([3, 5, 6])('starts from step %i: a model call, or after the last step', (fromStep) => {
    expect(planRerun(source(), steps, { fromStep })).toMatchObject({
      ok: true,
      execution: { rerun: { fromStep } },
    });
  });

  it('refuses a step in the middle of a turn or past the end, naming fromStep', () => {
    expect(planRerun(source(), steps, { fromStep: 2 })).toMatchObject({
      ok: false,
      status: 'invalid',
      field: 'fromStep',
    });
    expect(planRerun(source(), steps, { fromStep: 7 })).toMatchObject({
      ok: false,
      field: 'fromStep',
      message: 'the execution recorded 6 step(s)',
    });
    expect(planRerun(source(), [], { fromStep: 1 })).toMatchObject({ ok: false });
  });

  it('refuses an execution that has not ended', () => {
    for (const status of ['queued', 'running', 'requires_action'] as ExecutionStatus[]) {
      expect(planRerun(source(status), steps, {})).toMatchObject({
        ok: false,
        status: 'conflict',
        code: 'not_terminal',
      });
    }
  });

  it('takes the overrides, else keeps those of the run it reruns', () => {
    const llmConfig = { model: 'gpt-4o' };
    const plan = planRerun(source(), steps, { input: { message: 'again' }, llmConfig });
    expect(plan).toMatchObject({
      ok: true,
      execution: { input: { message: 'again' }, rerun: { llmConfig } },
    });
    const rerunOfRerun = { ...source(), llmConfigOverride: llmConfig } as AgentExecution;
    expect(planRerun(rerunOfRerun, steps, {})).toMatchObject({
      execution: { rerun: { llmConfig } },
    });
  });

  it("charges the rerun to the key that asked for it, keeping the source's user, tags, metadata", () => {
    expect(planRerun(source(), steps, { apiKeyId: 'k-rerun' })).toMatchObject({
      execution: {
        attribution: {
          apiKeyId: 'k-rerun',
          user: 'u1',
          tags: ['nightly'],
          metadata: { team: 'red' },
        },
      },
    });
  });
});
