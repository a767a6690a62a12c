import { selectMemoriesWithinBudget } from './memory-selection';
import { countTextTokens } from '@agentq/llm';

const memory = (id: string, content: string) => ({ id, type: 'learning', content });

describe('selectMemoriesWithinBudget', () => {
  it('keeps the given order and stops taking what does not fit', () => {
    const candidates = [
      memory('a', 'short fact'),
      memory('b', 'word '.repeat(200)),
      memory('c', 'another short fact'),
    ];
    expect(selectMemoriesWithinBudget(candidates, 60).map((m) => m.id)).toEqual(['a', 'c']);
    expect(selectMemoriesWithinBudget(candidates, 1_000).map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('never exceeds the budget, counting real tokens plus the line overhead', () => {
    const candidates = Array.from({ length: 50 }, (_, i) =>
      memory(String(i), `memory number ${i} about topic ${i % 7}`),
    );
    const chosen = selectMemoriesWithinBudget(candidates, 100);
    const used = chosen.reduce((sum, m) => sum + countTextTokens(`${m.type} ${m.content}`) + 4, 0);
    expect(chosen.length).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(100);
  });

  it('takes nothing with a zero budget', () => {
    expect(selectMemoriesWithinBudget([memory('a', 'x')], 0)).toEqual([]);
  });
});
