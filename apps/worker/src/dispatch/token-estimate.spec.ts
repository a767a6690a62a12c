import { DEFAULT_COMPLETION_ESTIMATE, estimateCallTokens } from './token-estimate';

describe('estimateCallTokens', () => {
  it('counts about four characters a token for the prompt, plus maxTokens', () => {
    const prompt = { systemPrompt: 'x'.repeat(40), messages: [{ content: 'y'.repeat(21) }] };
    expect(estimateCallTokens(prompt, 100)).toBe(16 + 100);
  });

  it('assumes a default completion when maxTokens is not set', () => {
    expect(estimateCallTokens({ messages: [] }, undefined)).toBe(DEFAULT_COMPLETION_ESTIMATE);
  });
});
