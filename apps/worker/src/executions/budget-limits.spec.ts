import { endUserScopeId } from '@agentq/usage';
import { budgetLimits } from './spend-guard.service';

const NO_BUDGETS = {
  agentDailyUsd: null,
  agentMonthlyUsd: null,
  tenantDailyUsd: null,
  tenantMonthlyUsd: null,
};

const execution = (budgets: object, attribution = { user: null, apiKeyId: null } as object) => ({
  tenantId: 'tenant-1',
  agentId: 'agent-1',
  budgets: { ...NO_BUDGETS, ...budgets },
  attribution: { tags: null, metadata: null, user: null, apiKeyId: null, ...attribution },
});

describe('budgetLimits', () => {
  it('adds the key’s and the end user’s limits beside the agent’s and tenant’s', () => {
    const limits = budgetLimits(
      execution(
        { agentDailyUsd: '1', apiKeyMonthlyUsd: '5', endUserDailyUsd: '0.5' },
        { user: 'u-1', apiKeyId: 'key-1' },
      ),
    );
    expect(limits).toEqual([
      { scope: 'agent', scopeId: 'agent-1', period: 'day', limitUsd: '1' },
      { scope: 'api_key', scopeId: 'key-1', period: 'month', limitUsd: '5' },
      {
        scope: 'end_user',
        scopeId: endUserScopeId('tenant-1', 'u-1'),
        endUser: 'u-1',
        period: 'day',
        limitUsd: '0.5',
      },
    ]);
  });

  it('has no end-user or key limit for an execution without a user or key', () => {
    expect(budgetLimits(execution({ endUserDailyUsd: '0.5', apiKeyDailyUsd: '1' }))).toEqual([]);
  });
});
