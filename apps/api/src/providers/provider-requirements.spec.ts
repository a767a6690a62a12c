import { apiKeyLast4, connectionProblems, storedKeyProblems } from './provider-requirements';

describe('connectionProblems', () => {
  it.each([
    ['openai', false, null, ['apiKey']],
    ['openai', true, null, []],
    ['anthropic', false, 'https://api.anthropic.com', ['apiKey']],
    ['anthropic', true, null, []],
    ['openai-compatible', false, null, ['baseUrl']],
    ['openai-compatible', false, 'http://localhost:11434/v1', []],
    ['openai-compatible', true, 'https://openrouter.ai/api/v1', []],
    ['echo', false, null, []],
  ] as const)('%s with key=%s, baseUrl=%s needs %j', (type, hasApiKey, baseUrl, fields) => {
    expect(
      connectionProblems({ type, hasApiKey, baseUrl }).map((problem) => problem.field),
    ).toEqual(fields);
  });
});

describe('apiKeyLast4', () => {
  it('shows the last four characters of a real-length key', () => {
    expect(apiKeyLast4('sk-proj-abcdefghijklmnop1234')).toBe('1234');
  });

  it('shows nothing of a short key', () => {
    expect(apiKeyLast4('ollama')).toBeNull();
  });
});

describe('storedKeyProblems', () => {
  const current = { type: 'openai' as const, baseUrl: 'https://a.example/v1', hasApiKey: true };

  it.each([
    [{ baseUrl: 'https://b.example/v1' }, ['apiKey']],
    [{ baseUrl: null }, ['apiKey']],
    [{ type: 'anthropic' as const }, ['apiKey']],
    [{ baseUrl: 'https://b.example/v1', apiKey: 'sk-new' }, []],
    [{ baseUrl: 'https://b.example/v1', apiKey: null }, []],
    [{ baseUrl: 'https://a.example/v1' }, []],
    [{ type: 'openai' as const }, []],
    [{}, []],
  ])('%j needs %j', (changes, fields) => {
    expect(storedKeyProblems({ current, changes }).map((problem) => problem.field)).toEqual(fields);
  });

  it('lets a provider without a stored key move freely', () => {
    expect(
      storedKeyProblems({
        current: { ...current, hasApiKey: false },
        changes: { baseUrl: 'https://b.example/v1' },
      }),
    ).toEqual([]);
  });
});
