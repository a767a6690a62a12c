import { byCostDescending, rollUp } from './usage-rollup';

const row = (agent: string, day: string, costUsd: string, totalTokens: number) => ({
  agent,
  day,
  executions: 1,
  succeeded: 1,
  failed: 0,
  promptTokens: totalTokens - 1,
  completionTokens: 1,
  totalTokens,
  costUsd,
});

describe('usage roll-up', () => {
  const rows = [
    row('a', '2026-12-01', '0.100000001', 10),
    row('b', '2026-12-01', '0.000000002', 5),
    row('a', '2026-12-02', '0.200000002', 20),
  ];

  it('sums a finer grouping into a coarser one, costs exactly', () => {
    expect(rollUp(rows, (r) => r.agent)).toEqual([
      {
        key: 'a',
        executions: 2,
        succeeded: 2,
        failed: 0,
        promptTokens: 28,
        completionTokens: 2,
        totalTokens: 30,
        costUsd: '0.300000003',
      },
      {
        key: 'b',
        executions: 1,
        succeeded: 1,
        failed: 0,
        promptTokens: 4,
        completionTokens: 1,
        totalTokens: 5,
        costUsd: '0.000000002',
      },
    ]);
    expect(rollUp(rows, (r) => r.day).map((r) => r.costUsd)).toEqual([
      '0.100000003',
      '0.200000002',
    ]);
  });

  it('orders by cost, largest first, exactly', () => {
    const sorted = byCostDescending([
      { key: 'x', costUsd: '0.000000001' },
      { key: 'y', costUsd: '0.000000002' },
      { key: 'w', costUsd: '0.000000001' },
    ]);
    expect(sorted.map((r) => r.key)).toEqual(['y', 'w', 'x']);
  });
});
