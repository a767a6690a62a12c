import { filtersToSearch, formatDuration, formatUsd, spentPercent, sumUsd, toCsv } from './format';
import { layoutPlan } from './plan-layout';
import { applyRunEvent } from './runs-live';

describe('console formatting', () => {
  it('shows USD from decimal strings without going through floats', () => {
    expect(formatUsd('0.000012000')).toBe('$0.000012');
    expect(formatUsd('1234.5', 2)).toBe('$1,234.50');
    expect(formatUsd(null)).toBe('—');
    expect(sumUsd(['0.1', '0.2'])).toBe('0.300000000');
    expect(sumUsd(['0.000000001', '-0.000000002'])).toBe('-0.000000001');
    expect(spentPercent('1.25', '5.00')).toBe(25);
    expect(spentPercent('1', '0')).toBe(0);
  });

  it('writes RFC 4180 CSV and linkable filters', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [1, null],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n1,\r\n');
    expect(filtersToSearch({ status: 'failed', agentId: undefined, from: '' })).toBe(
      '?status=failed',
    );
    expect(filtersToSearch({})).toBe('');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(61_000)).toBe('1 min 1 s');
  });
});

describe('live runs', () => {
  const run = (id: string, status: string) =>
    ({ id, status, startedAt: null, completedAt: null }) as never;

  it('updates a listed run in place and leaves the list alone for one it does not show', () => {
    const rows = [run('a', 'queued'), run('b', 'running')];
    const next = applyRunEvent(rows, {
      type: 'succeeded',
      executionId: 'b',
      agentId: 'x',
      status: 'succeeded',
      at: 't',
    });
    expect(next.map((r: { status: string }) => r.status)).toEqual(['queued', 'succeeded']);
    expect((next[1] as { completedAt: string }).completedAt).toBe('t');
    expect(rows[1]).toEqual(run('b', 'running'));
    const same = applyRunEvent(rows, {
      type: 'queued',
      executionId: 'c',
      agentId: 'x',
      status: 'queued',
      at: 't',
    });
    expect(same).toBe(rows);
  });
});

describe('plan layout', () => {
  it('ranks tasks left to right after what they depend on', () => {
    const graph = layoutPlan([
      { key: 'a', dependsOn: [] },
      { key: 'b', dependsOn: ['a'] },
      { key: 'c', dependsOn: ['a'] },
      { key: 'd', dependsOn: ['b', 'c'] },
    ]);
    const x = Object.fromEntries(graph.nodes.map((node) => [node.key, node.x]));
    expect(x.a).toBeLessThan(x.b);
    expect(x.b).toBe(x.c);
    expect(x.d).toBeGreaterThan(x.b);
    expect(graph.edges).toHaveLength(4);
    expect(graph.width).toBeGreaterThan(0);
  });
});
