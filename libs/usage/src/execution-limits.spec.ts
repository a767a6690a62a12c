import { executionLimitBreach, sumSpend } from './execution-limits';

const spend = (costUsd: string, promptTokens = 0, completionTokens = 0) => ({
  promptTokens,
  completionTokens,
  costUsd,
});
const noCaps = { maxCostUsd: null, maxTokens: null };

describe('executionLimitBreach', () => {
  it('never stops an execution without caps', () => {
    expect(executionLimitBreach(spend('999.5', 1e6, 1e6), noCaps, 'after-step')).toBeNull();
    expect(executionLimitBreach(spend('999.5', 1e6, 1e6), noCaps, 'before-call')).toBeNull();
  });

  it('lets a step end exactly on the cost cap, but starts no call once it is reached', () => {
    const caps = { ...noCaps, maxCostUsd: '0.010000000' };
    expect(executionLimitBreach(spend('0.01'), caps, 'after-step')).toBeNull();
    expect(executionLimitBreach(spend('0.01'), caps, 'before-call')).toMatchObject({
      code: 'cost_limit_exceeded',
    });
    expect(executionLimitBreach(spend('0.009999999'), caps, 'before-call')).toBeNull();
  });

  it('fails a step that went past the cost cap, by one billionth of a dollar', () => {
    const breach = executionLimitBreach(
      spend('0.010000001'),
      { ...noCaps, maxCostUsd: '0.01' },
      'after-step',
    );
    expect(breach).toEqual({
      code: 'cost_limit_exceeded',
      message: "USD 0.010000001 spent, the execution's maxCostUsd is 0.01",
    });
  });

  it('counts prompt and completion tokens together against maxTokens', () => {
    const caps = { ...noCaps, maxTokens: 300 };
    expect(executionLimitBreach(spend('0', 250, 50), caps, 'after-step')).toBeNull();
    expect(executionLimitBreach(spend('0', 250, 50), caps, 'before-call')?.message).toBe(
      "300 tokens used, the execution's maxTokens is 300",
    );
    expect(executionLimitBreach(spend('0', 250, 51), caps, 'after-step')).not.toBeNull();
  });
});

describe('sumSpend', () => {
  it('adds costs exactly, where floats would drift', () => {
    const steps = Array.from({ length: 10 }, () => spend('0.1', 3, 2));
    expect(sumSpend(steps)).toEqual({
      promptTokens: 30,
      completionTokens: 20,
      costUsd: '1.000000000',
    });
    expect(sumSpend([])).toEqual({ promptTokens: 0, completionTokens: 0, costUsd: '0.000000000' });
  });
});
