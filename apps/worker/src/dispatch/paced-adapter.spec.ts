import { LlmError, LlmProviderAdapter, LlmRequest, LlmResult } from '@agentq/llm';
import { DispatchDeferral } from './dispatch-deferral';
import { CallPacing, PacedAdapter } from './paced-adapter';
import { MAX_FREE_PAUSES_PER_EXECUTION } from './provider-pause-policy';

const provider = { id: 'provider-1', rateLimit: { tokensPerMinute: 1_000 } };
const answer: LlmResult = {
  text: 'ok',
  promptTokens: 7,
  completionTokens: 3,
  finishReason: 'stop',
  model: 'm',
  responseId: null,
  toolCalls: [],
};
const request = (): LlmRequest => ({
  model: 'm',
  systemPrompt: '',
  messages: [{ role: 'user', content: 'hi' }],
  maxTokens: 20,
  signal: new AbortController().signal,
});
const rateLimited = () =>
  new LlmError({
    kind: 'rate_limited',
    code: 'provider_rate_limited',
    message: '429',
    status: 429,
    retryAfterMs: 30,
  });

// A plain-object pacing: scripted turns, recorded pauses and corrections.
function fakePacing(turns: (DispatchDeferral | null)[] = [], admitted?: number) {
  const calls = { turns: 0, pauses: [] as number[], corrections: [] as number[][] };
  let pauseCount = 0;
  const pacing: CallPacing = {
    knownPause: () => null,
    takeAdmission: () => {
      const tokens = admitted;
      admitted = undefined;
      return tokens;
    },
    takeTurn: async () => {
      calls.turns += 1;
      return turns.shift() ?? null;
    },
    correctTokens: async (_p, estimated, used) => {
      calls.corrections.push([estimated, used]);
    },
    pause: async (_id, ms) => {
      calls.pauses.push(ms);
      return ms;
    },
    countPause: async () => (pauseCount += 1),
  };
  return { pacing, calls };
}

function scriptedAdapter(outcomes: (LlmResult | Error)[]): LlmProviderAdapter & { calls: number } {
  const adapter = {
    calls: 0,
    async complete() {
      adapter.calls += 1;
      const next = outcomes.shift() ?? answer;
      if (next instanceof Error) throw next;
      return next;
    },
  };
  return adapter;
}

describe('PacedAdapter', () => {
  it('uses the turn its admission took for the first call, and corrects its tokens', async () => {
    const { pacing, calls } = fakePacing([], 42);
    const paced = new PacedAdapter(scriptedAdapter([]), pacing, 'e1', provider);
    await paced.complete(request());
    expect(calls.turns).toBe(0);
    expect(calls.corrections).toEqual([[42, 10]]);
    await paced.complete(request());
    expect(calls.turns).toBe(1);
  });

  it('does not send an admitted first call into a pause announced since its admission', async () => {
    const { pacing } = fakePacing([], 42);
    const pause = new DispatchDeferral('provider_paused', 1_500);
    const inner = scriptedAdapter([]);
    const paced = new PacedAdapter(inner, { ...pacing, knownPause: () => pause }, 'e1', provider);
    await expect(paced.complete(request())).rejects.toBe(pause);
    expect(inner.calls).toBe(0);
  });

  it('hands a wait before the first answer back to the queue', async () => {
    const wait = new DispatchDeferral('rate_limit', 5_000);
    const { pacing } = fakePacing([wait]);
    const inner = scriptedAdapter([]);
    await expect(new PacedAdapter(inner, pacing, 'e1', provider).complete(request())).rejects.toBe(
      wait,
    );
    expect(inner.calls).toBe(0);
  });

  it('pauses the provider on a 429 and defers the first call without using an attempt', async () => {
    const { pacing, calls } = fakePacing();
    const paced = new PacedAdapter(scriptedAdapter([rateLimited()]), pacing, 'e1', provider);
    await expect(paced.complete(request())).rejects.toMatchObject({
      reason: 'provider_paused',
      delayMs: 30,
    });
    expect(calls.pauses).toEqual([30]);
  });

  it('once a call has answered, waits in place for its turn and through a pause', async () => {
    const { pacing, calls } = fakePacing([null, new DispatchDeferral('rate_limit', 20)]);
    const inner = scriptedAdapter([answer, rateLimited(), answer]);
    const paced = new PacedAdapter(inner, pacing, 'e1', provider);
    await paced.complete(request());
    await expect(paced.complete(request())).resolves.toEqual(answer);
    expect(inner.calls).toBe(3);
    expect(calls.pauses).toEqual([30]);
  });

  it('lets a 429 use an attempt after too many free pauses', async () => {
    const { pacing } = fakePacing();
    for (let i = 0; i < MAX_FREE_PAUSES_PER_EXECUTION; i += 1) await pacing.countPause('e1');
    const error = rateLimited();
    const paced = new PacedAdapter(scriptedAdapter([error]), pacing, 'e1', provider);
    await expect(paced.complete(request())).rejects.toBe(error);
  });

  it('passes other errors through untouched', async () => {
    const error = new LlmError({ kind: 'permanent', code: 'provider_rejected', message: '400' });
    const { pacing, calls } = fakePacing();
    const paced = new PacedAdapter(scriptedAdapter([error]), pacing, 'e1', provider);
    await expect(paced.complete(request())).rejects.toBe(error);
    expect(calls.pauses).toEqual([]);
  });
});
