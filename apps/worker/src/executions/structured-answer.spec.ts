import { ResponseFormat } from '@agentq/database';
import { AttemptStream } from '@agentq/executions';
import { LlmRequest, LlmResult } from '@agentq/llm';
import { completeInFormat } from './structured-answer';

const format: ResponseFormat = {
  type: 'json_schema',
  name: 'answer',
  schema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
};

const request: LlmRequest = {
  model: 'm',
  systemPrompt: 'sys',
  messages: [{ role: 'user', content: 'give n' }],
  signal: new AbortController().signal,
};

// A provider answering the given texts in turn, 10 prompt and 2 completion tokens each.
function scripted(...texts: string[]) {
  const requests: LlmRequest[] = [];
  const complete = async (sent: LlmRequest): Promise<LlmResult> => {
    requests.push(sent);
    const text = texts[requests.length - 1];
    return {
      text,
      promptTokens: 10,
      completionTokens: 2,
      finishReason: 'stop',
      model: 'm',
      responseId: null,
      toolCalls: [],
    };
  };
  return { complete, requests };
}

function recordingStream() {
  const resets: string[] = [];
  const stream: AttemptStream = {
    reset: (reason) => resets.push(reason),
    step: () => undefined,
    requiresAction: () => undefined,
    end: () => undefined,
  };
  return { stream, resets };
}

describe('completeInFormat', () => {
  it('makes one call and no check without a response format', async () => {
    const provider = scripted('plain text');
    const answer = await completeInFormat(
      provider.complete,
      request,
      null,
      recordingStream().stream,
    );
    expect(answer).toMatchObject({
      promptTokens: 10,
      completionTokens: 2,
      result: { text: 'plain text' },
    });
    expect(answer).not.toHaveProperty('json');
    expect(provider.requests[0].responseFormat).toBeUndefined();
  });

  it('parses a valid first answer', async () => {
    const provider = scripted('{"n":1}');
    const answer = await completeInFormat(
      provider.complete,
      request,
      format,
      recordingStream().stream,
    );
    expect(answer.json).toEqual({ n: 1 });
    expect(provider.requests).toHaveLength(1);
    expect(provider.requests[0].responseFormat).toBe(format);
  });

  it('repairs once, resetting the stream, and sums the usage of both calls', async () => {
    const provider = scripted('{"n":"one"}', '{"n":1}');
    const { stream, resets } = recordingStream();
    const answer = await completeInFormat(provider.complete, request, format, stream);
    expect(answer).toMatchObject({ json: { n: 1 }, promptTokens: 20, completionTokens: 4 });
    expect(resets).toEqual(['repair']);
    expect(provider.requests[1].messages.slice(0, 1)).toEqual(request.messages);
    expect(provider.requests[1].messages[1]).toEqual({ role: 'assistant', content: '{"n":"one"}' });
    expect(provider.requests[1].messages[2].content).toContain('answer/n must be number');
  });

  it('reports an answer still invalid after the repair, without a third call', async () => {
    const provider = scripted('nope', 'still nope', '{"n":1}');
    const answer = await completeInFormat(
      provider.complete,
      request,
      format,
      recordingStream().stream,
    );
    expect(answer.invalidOutput).toMatch(/not JSON/);
    expect(answer).not.toHaveProperty('json');
    expect(answer).toMatchObject({ promptTokens: 20, completionTokens: 4 });
    expect(provider.requests).toHaveLength(2);
  });
});
