import { LlmError } from '@agentq/llm';
import { DispatchDeferral } from '../dispatch/dispatch-deferral';
import {
  admissionWaitStands,
  callSignal,
  chainEntries,
  DEFAULT_FALLBACK_AFTER_MS,
  fallbackDecision,
  passesOver,
  priceRoutedCalls,
  RoutedResult,
} from './model-chain';

const live = new AbortController().signal;
const middle = { isLastEntry: false, fallbackAfterMs: 5_000 };
const last = { isLastEntry: true, fallbackAfterMs: 5_000 };
const http = (status: number, kind: LlmError['kind'], retryAfterMs?: number) =>
  new LlmError({
    kind,
    code: kind === 'permanent' ? 'provider_rejected' : 'provider_unavailable',
    message: `HTTP ${status}`,
    status,
    retryAfterMs,
  });

describe('chainEntries', () => {
  it("is the agent's provider and model, then the fallbacks in order", () => {
    const llmConfig = {
      model: 'gpt-4o-mini',
      fallbacks: [
        { providerId: 'p2', model: 'claude-haiku-4-5' },
        { providerId: 'p3', model: 'gpt-4.1-mini' },
      ],
    };
    expect(chainEntries(llmConfig, 'p1')).toEqual([
      { providerId: 'p1', model: 'gpt-4o-mini' },
      { providerId: 'p2', model: 'claude-haiku-4-5' },
      { providerId: 'p3', model: 'gpt-4.1-mini' },
    ]);
    expect(chainEntries({ model: 'm' }, 'p1')).toEqual([{ providerId: 'p1', model: 'm' }]);
  });
});

describe('fallbackDecision', () => {
  it.each([
    ['a 500', http(500, 'transient')],
    ['a 503', http(503, 'transient')],
    [
      'a connection error',
      new LlmError({ kind: 'transient', code: 'provider_unavailable', message: 'ECONNRESET' }),
    ],
    [
      'a call timeout',
      new LlmError({ kind: 'timeout', code: 'provider_timeout', message: 'timed out' }),
    ],
  ])('moves on after %s and cools the provider down', (_, error) => {
    expect(fallbackDecision(error, live, middle)).toEqual({
      kind: 'next',
      cooldown: true,
      error: { code: error.code, message: error.message },
    });
  });

  it('moves on after a 429 the paced adapter gave up waiting for, without a second pause', () => {
    const decision = fallbackDecision(http(429, 'rate_limited', 60_000), live, middle);
    expect(decision).toMatchObject({ kind: 'next', cooldown: false });
  });

  it.each([
    ['a 400', http(400, 'permanent')],
    ['a 401', http(401, 'permanent')],
    ['a content policy refusal', http(422, 'permanent')],
    ['a cancel', new LlmError({ kind: 'aborted', code: 'cancelled', message: 'cancelled' })],
    ['an error of its own', new Error('bug')],
  ])('never falls back from %s', (_, error) => {
    expect(fallbackDecision(error, live, middle)).toEqual({ kind: 'throw' });
  });

  it('never falls back from the last entry, or once the attempt itself is aborted', () => {
    expect(fallbackDecision(http(500, 'transient'), live, last)).toEqual({ kind: 'throw' });
    const aborted = new AbortController();
    aborted.abort();
    expect(fallbackDecision(http(500, 'transient'), aborted.signal, middle)).toEqual({
      kind: 'throw',
    });
  });

  it('passes a long pause on to the next entry, and waits out a short one', () => {
    const long = new DispatchDeferral('provider_paused', 30_000);
    expect(fallbackDecision(long, live, middle)).toMatchObject({
      kind: 'next',
      cooldown: false,
      error: { code: 'provider_provider_paused' },
    });
    const short = new DispatchDeferral('provider_paused', 1_000);
    expect(fallbackDecision(short, live, middle)).toEqual({ kind: 'throw' });
  });
});

describe('passesOver', () => {
  it('skips a provider paused past fallbackAfterMs, never the last entry', () => {
    expect(passesOver(30_000, middle)).toBe(true);
    expect(passesOver(5_000, middle)).toBe(false);
    expect(passesOver(null, middle)).toBe(false);
    expect(passesOver(30_000, last)).toBe(false);
  });
});

describe('admissionWaitStands', () => {
  const chain = { model: 'm', fallbacks: [{ providerId: 'p2', model: 'n' }] };
  it('holds an agent without fallbacks to every wait', () => {
    expect(
      admissionWaitStands(new DispatchDeferral('provider_paused', 60_000), { model: 'm' }),
    ).toBe(true);
  });

  it('lets an agent with fallbacks pass a long pause over, but not its concurrency limit', () => {
    const long = DEFAULT_FALLBACK_AFTER_MS + 1;
    expect(admissionWaitStands(new DispatchDeferral('provider_paused', long), chain)).toBe(false);
    expect(admissionWaitStands(new DispatchDeferral('rate_limit', long), chain)).toBe(false);
    expect(admissionWaitStands(new DispatchDeferral('provider_paused', 100), chain)).toBe(true);
    expect(admissionWaitStands(new DispatchDeferral('concurrency', long), chain)).toBe(true);
  });
});

describe('callSignal', () => {
  it("is the attempt's own signal without callTimeoutMs", () => {
    expect(callSignal(live)).toBe(live);
    const bounded = callSignal(live, 60_000);
    expect(bounded).not.toBe(live);
    expect(bounded.aborted).toBe(false);
  });
});

describe('priceRoutedCalls', () => {
  const call = (model: string, pricing: RoutedResult['route']['pricing'] = null) =>
    ({
      text: '',
      model,
      promptTokens: 100,
      completionTokens: 10,
      finishReason: 'stop',
      responseId: null,
      toolCalls: [],
      route: { providerId: 'p', pricing, fallbackFrom: [] },
    }) as RoutedResult;

  it('prices each call by the model that answered it, not the last one', () => {
    // gpt-4o-mini: $0.15 / $0.60 per million (0.000021); claude-haiku-4-5: $1 / $5 (0.000150).
    expect(priceRoutedCalls([call('gpt-4o-mini'), call('claude-haiku-4-5')])).toEqual({
      costUsd: '0.000171000',
      unpriced: [],
    });
  });

  it("takes the answering provider's overrides, and names models without a price", () => {
    const overrides = { 'gpt-4o-mini': { inputPerMillion: '1', outputPerMillion: '1' } };
    expect(priceRoutedCalls([call('gpt-4o-mini', overrides), call('mystery-1')])).toEqual({
      costUsd: '0.000110000',
      unpriced: ['mystery-1'],
    });
  });
});
