import { countTokens } from 'gpt-tokenizer';
import { EchoAdapter } from './echo.adapter';
import { LlmAbortReason } from './llm-abort-reason';
import { LlmError } from './llm-errors';
import { LlmRequest } from './llm-provider.port';

const request = (overrides: Partial<LlmRequest> = {}): LlmRequest => ({
  model: 'echo-1',
  systemPrompt: '## Role\nTester',
  messages: [
    { role: 'user', content: 'first question' },
    { role: 'assistant', content: 'first answer' },
    { role: 'user', content: 'what is the weather like today?' },
  ],
  signal: new AbortController().signal,
  ...overrides,
});

describe('EchoAdapter', () => {
  it('answers with the last user message and real token counts', async () => {
    const result = await new EchoAdapter().complete(request());
    expect(result).toMatchObject({
      text: 'echo: what is the weather like today?',
      finishReason: 'stop',
      model: 'echo-1',
    });
    expect(result.promptTokens).toBe(
      countTokens('## Role\nTester') +
        countTokens('first question') +
        countTokens('first answer') +
        countTokens('what is the weather like today?'),
    );
    expect(result.completionTokens).toBe(countTokens('echo: what is the weather like today?'));
    expect(result.completionTokens).toBeGreaterThan(5);
  });

  it('streams its answer word by word when asked, to the same result', async () => {
    const deltas: string[] = [];
    const streamed = await new EchoAdapter().complete(
      request({ onDelta: (text) => deltas.push(text) }),
    );
    const plain = await new EchoAdapter().complete(request());
    expect(deltas).toEqual(['echo:', ' what', ' is', ' the', ' weather', ' like', ' today?']);
    expect({ ...streamed, responseId: null }).toEqual({ ...plain, responseId: null });
  });

  it('is deterministic apart from the response id', async () => {
    const adapter = new EchoAdapter();
    const [a, b] = await Promise.all([adapter.complete(request()), adapter.complete(request())]);
    expect({ ...a, responseId: null }).toEqual({ ...b, responseId: null });
    expect(a.responseId).toMatch(/^echo-\d+$/);
    expect(a.responseId).not.toBe(b.responseId);
  });

  it('counts special-token text as plain text instead of failing', async () => {
    const result = await new EchoAdapter().complete(
      request({ messages: [{ role: 'user', content: 'say <|endoftext|> now' }] }),
    );
    expect(result.completionTokens).toBeGreaterThan(3);
  });

  it('waits the configured latency', async () => {
    const startedAt = performance.now();
    await new EchoAdapter(40).complete(request());
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(35);
  });

  it.each([
    ['timeout', 'timeout'],
    ['cancelled', 'aborted'],
  ] as const)('stops waiting when aborted for %s', async (reason, kind) => {
    const controller = new AbortController();
    const pending = new EchoAdapter(60_000).complete(request({ signal: controller.signal }));
    controller.abort(new LlmAbortReason(reason));
    const error = await pending.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ kind });
  });

  it('refuses a call whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new LlmAbortReason('cancelled'));
    await expect(
      new EchoAdapter().complete(request({ signal: controller.signal })),
    ).rejects.toMatchObject({ kind: 'aborted', code: 'cancelled' });
  });
});
