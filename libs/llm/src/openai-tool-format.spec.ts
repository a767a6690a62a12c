import { openAiToolCalls, openAiToolParams } from './openai-tool-format';

describe('openAiToolCalls', () => {
  const call = (args: unknown, extra: Record<string, unknown> = {}) => ({
    id: 'call_1',
    type: 'function',
    function: { name: 'get_weather', arguments: args },
    ...extra,
  });

  it('parses the JSON arguments of function calls', () => {
    expect(openAiToolCalls({ tool_calls: [call('{"city":"Paris"}')] })).toEqual([
      { id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
    ]);
  });

  it('keeps arguments that are not JSON as text, and empty ones as {}', () => {
    expect(openAiToolCalls({ tool_calls: [call('{"city":')] })[0].arguments).toBe('{"city":');
    expect(openAiToolCalls({ tool_calls: [call('')] })[0].arguments).toEqual({});
  });

  it('ignores what is not a function call, and answers without calls', () => {
    expect(openAiToolCalls({ tool_calls: [call('{}', { type: 'custom' }), { id: 3 }] })).toEqual(
      [],
    );
    expect(openAiToolCalls({})).toEqual([]);
  });
});

describe('openAiToolParams', () => {
  it('sends no tools field when the agent has none', () => {
    expect(openAiToolParams(undefined)).toEqual({});
    expect(openAiToolParams([])).toEqual({});
  });
});
