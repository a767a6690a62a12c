import {
  callCostCeilingUsd,
  maxPromptTokens,
  UNCAPPED_COMPLETION_TOKENS,
} from './call-cost-ceiling';

const request = (content: string, maxTokens?: number) => ({
  model: 'm',
  systemPrompt: 'You are terse.',
  messages: [{ role: 'user' as const, content }],
  maxTokens,
});

// $1 per million input tokens and $2 per million output tokens: 1,000 nano-USD per token in.
const PRICING = { m: { inputPerMillion: '1', outputPerMillion: '2' } };

describe('callCostCeilingUsd', () => {
  it('bounds the prompt by its UTF-8 size, which no byte-level tokenizer can exceed', () => {
    const ascii = maxPromptTokens(request('a'.repeat(400)));
    expect(ascii).toBeGreaterThan(400);
    // Four bytes a character: four times the tokens at most, never fewer than the bytes.
    expect(maxPromptTokens(request('🙂'.repeat(100)))).toBeGreaterThanOrEqual(400);
  });

  it('prices the prompt ceiling and maxTokens with the provider’s prices', () => {
    const prompt = maxPromptTokens(request('hello'));
    expect(callCostCeilingUsd(request('hello', 100), PRICING)).toBe(
      `0.${String(prompt + 200).padStart(6, '0')}000`,
    );
  });

  it('assumes the uncapped completion when the agent sets no maxTokens', () => {
    const prompt = maxPromptTokens(request('hello'));
    expect(callCostCeilingUsd(request('hello'), PRICING)).toBe(
      `0.${String(prompt + 2 * UNCAPPED_COMPLETION_TOKENS).padStart(6, '0')}000`,
    );
  });

  it('reserves nothing for a model without a price (its calls cost nothing either)', () => {
    expect(callCostCeilingUsd({ ...request('hello', 10), model: 'unpriced-x' }, null)).toBe(
      '0.000000000',
    );
  });
});
