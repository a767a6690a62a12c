import { parseNanoUsd } from './nano-usd';
import { computeCostUsd, MODEL_PRICES } from './pricing';

const usage = (promptTokens: number, completionTokens: number) => ({
  promptTokens,
  completionTokens,
});

describe('computeCostUsd', () => {
  it('prices input and output tokens exactly', () => {
    // 1234 * 2.50 / 1e6 + 567 * 10 / 1e6 = 0.003085 + 0.00567
    expect(computeCostUsd(usage(1234, 567), 'gpt-4o')).toEqual({
      costUsd: '0.008755000',
      priced: true,
    });
  });

  it('keeps sub-cent amounts that floats would blur', () => {
    expect(computeCostUsd(usage(1, 0), 'gpt-4o-mini').costUsd).toBe('0.000000150');
    expect(computeCostUsd(usage(7, 3), 'gpt-4o-mini').costUsd).toBe('0.000002850');
  });

  it('rounds to the nearest billionth, halves up', () => {
    const overrides = { tiny: { inputPerMillion: '0.0005', outputPerMillion: '0' } };
    // 1 token at 0.0005 USD / 1e6 = 0.0000000005 USD: half a billionth.
    expect(computeCostUsd(usage(1, 0), 'tiny', overrides).costUsd).toBe('0.000000001');
    expect(computeCostUsd(usage(0, 0), 'tiny', overrides).costUsd).toBe('0.000000000');
  });

  it('handles very large counts without losing precision', () => {
    expect(computeCostUsd(usage(2_000_000_000, 1_000_000_000), 'claude-opus-4').costUsd).toBe(
      '105000.000000000',
    );
  });

  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
    ['o3-mini-2025-01-31', 'o3-mini'],
    ['gpt-4-0613', 'gpt-4'],
    ['gpt-4-turbo-2024-04-09', 'gpt-4-turbo'],
    ['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet'],
    ['claude-3-5-haiku-latest', 'claude-3-5-haiku'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['claude-opus-4-1-20250805', 'claude-opus-4-1'],
    ['claude-opus-4-5-20251101', 'claude-opus-4-5'],
    ['echo-1', 'echo'],
  ])('prices %s as %s', (model, family) => {
    expect(computeCostUsd(usage(1000, 1000), model)).toEqual(
      computeCostUsd(usage(1000, 1000), family),
    );
    expect(computeCostUsd(usage(1000, 1000), model).priced).toBe(true);
  });

  it('prices a dated variant with its own list price when it has one', () => {
    expect(computeCostUsd(usage(1_000_000, 0), 'gpt-4o-2024-05-13').costUsd).toBe('5.000000000');
    expect(computeCostUsd(usage(1_000_000, 0), 'gpt-4o-2024-11-20').costUsd).toBe('2.500000000');
  });

  it.each(['o1-pro', 'gpt-4o-realtime-preview', 'gpt-4.5-preview', 'llama3.1:8b', 'gpt-4ox'])(
    'leaves %s unpriced rather than guessing from a namesake',
    (model) => {
      expect(computeCostUsd(usage(1000, 1000), model)).toEqual({
        costUsd: '0.000000000',
        priced: false,
      });
    },
  );

  it('prices the echo provider at zero', () => {
    expect(computeCostUsd(usage(5000, 5000), 'echo')).toEqual({
      costUsd: '0.000000000',
      priced: true,
    });
  });

  it("uses the provider's overrides before the list prices", () => {
    const overrides = {
      'gpt-4o': { inputPerMillion: '1', outputPerMillion: '2' },
      'llama3.1:8b': { inputPerMillion: '0.10', outputPerMillion: '0.20' },
    };
    expect(
      computeCostUsd(usage(1_000_000, 1_000_000), 'gpt-4o-2024-08-06', overrides).costUsd,
    ).toBe('3.000000000');
    expect(computeCostUsd(usage(1_000_000, 0), 'llama3.1:8b', overrides)).toEqual({
      costUsd: '0.100000000',
      priced: true,
    });
    expect(computeCostUsd(usage(1_000_000, 0), 'gpt-4o-mini', overrides).costUsd).toBe(
      '0.150000000',
    );
  });

  it('skips a malformed override and falls back to the list price', () => {
    const overrides = { 'gpt-4o': { inputPerMillion: 'cheap', outputPerMillion: '1' } };
    expect(computeCostUsd(usage(1_000_000, 0), 'gpt-4o', overrides).costUsd).toBe('2.500000000');
  });

  it('refuses token counts that are not non-negative integers', () => {
    expect(() => computeCostUsd(usage(1.5, 0), 'gpt-4o')).toThrow(RangeError);
    expect(() => computeCostUsd(usage(0, -1), 'gpt-4o')).toThrow(RangeError);
  });

  it('lists only well-formed prices', () => {
    for (const [model, price] of Object.entries(MODEL_PRICES)) {
      expect([model, parseNanoUsd(price.inputPerMillion)]).not.toEqual([model, null]);
      expect([model, parseNanoUsd(price.outputPerMillion)]).not.toEqual([model, null]);
    }
  });
});
