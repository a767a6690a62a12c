import { describeSpentBudget, hasAttributionBudgets } from './attribution-budgets';
import { endUserScopeId } from './budget-ledger';

describe('attribution budgets', () => {
  it('names the budget that is spent', () => {
    expect(
      describeSpentBudget({
        scope: 'end_user',
        endUser: 'user-123',
        period: 'day',
        limitUsd: '1.000000000',
        spentUsd: '1.000000400',
      }),
    ).toBe('end user "user-123"\'s daily budget of 1.000000000 USD is spent (1.000000400 USD)');
    expect(
      describeSpentBudget({
        scope: 'api_key',
        endUser: null,
        period: 'month',
        limitUsd: '5',
        spentUsd: '5',
      }),
    ).toBe("this API key's monthly budget of 5 USD is spent (5 USD)");
  });

  it('knows when there is nothing to check', () => {
    const none = {
      endUserDailyUsd: null,
      endUserMonthlyUsd: null,
      apiKeyDailyUsd: null,
      apiKeyMonthlyUsd: null,
    };
    expect(hasAttributionBudgets(none)).toBe(false);
    expect(hasAttributionBudgets({ ...none, apiKeyMonthlyUsd: '3' })).toBe(true);
  });

  it('gives each end user of each tenant its own counter id, the same every time', () => {
    const a = endUserScopeId('00000000-0000-4000-8000-000000000001', 'user-1');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(endUserScopeId('00000000-0000-4000-8000-000000000001', 'user-1')).toBe(a);
    expect(endUserScopeId('00000000-0000-4000-8000-000000000002', 'user-1')).not.toBe(a);
    expect(endUserScopeId('00000000-0000-4000-8000-000000000001', 'user-2')).not.toBe(a);
  });
});
