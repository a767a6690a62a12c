import * as openai from 'openai';
import { CredentialDecryptionError } from '@agentq/crypto';
import { LlmAbortReason, LlmError } from '@agentq/llm';
import { OutboundError } from '@agentq/outbound';
import { ConcurrencySlotLost } from '../dispatch/concurrency-slot-lost';
import { DispatchDeferral } from '../dispatch/dispatch-deferral';
import { adapterFailure, classifyAttemptFailure, configurationProblem } from './attempt-failure';
import { BudgetExceededError } from './spend-guard.service';
import { WorkerShutdownInterruption } from './worker-shutdown';

const notAborted = () => new AbortController().signal;
const abortedWith = (reason: unknown) => {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
};
const http = (status: number, headers: Record<string, string> = {}, body: object = {}) =>
  openai.APIError.generate(status, body, `${status} from the provider`, new Headers(headers));
const socketFailure = () =>
  new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });

describe('classifyAttemptFailure', () => {
  describe.each([
    ['a 503', () => http(503), 'provider_unavailable'],
    ['a 429', () => http(429), 'provider_rate_limited'],
    ['a refused connection', socketFailure, 'provider_unavailable'],
    [
      'an unparseable body',
      () => new SyntaxError('Unexpected end of JSON input'),
      'provider_bad_response',
    ],
    ['an unknown error', () => new Error('boom'), 'provider_error'],
  ])('%s (may succeed later)', (_name, thrown, code) => {
    it('retries while attempts remain, marked retryable', () => {
      const decision = classifyAttemptFailure(thrown(), notAborted(), false);
      expect(decision).toMatchObject({ kind: 'retry', failure: { code, retryable: true } });
    });

    it('fails on the last attempt, not marked retryable', () => {
      const decision = classifyAttemptFailure(thrown(), notAborted(), true);
      expect(decision).toEqual({ kind: 'fail', failure: { code, message: expect.any(String) } });
    });
  });

  it.each([
    ['a 400', () => http(400), 'provider_rejected'],
    ['a 401', () => http(401), 'provider_rejected'],
    [
      'OpenAI out of credit',
      () => http(429, {}, { error: { code: 'insufficient_quota', message: 'quota' } }),
      'provider_quota_exceeded',
    ],
    [
      'a destination the outbound policy refused',
      () =>
        new TypeError('fetch failed', { cause: new OutboundError('destination_refused', 'no') }),
      'provider_misconfigured',
    ],
  ])('fails %s at once, whatever attempts remain', (_name, thrown, code) => {
    expect(classifyAttemptFailure(thrown(), notAborted(), false)).toEqual({
      kind: 'fail',
      failure: { code, message: expect.any(String) },
    });
  });

  it('keeps the provider’s Retry-After on the retried error, for the backoff to honour', () => {
    const decision = classifyAttemptFailure(http(429, { 'retry-after': '7' }), notAborted(), false);
    expect(decision.kind === 'retry' && decision.error.retryAfterMs).toBe(7_000);
  });

  it('retries the run’s own deadline as provider_timeout, whatever the SDK threw', () => {
    const signal = abortedWith(new LlmAbortReason('timeout'));
    expect(classifyAttemptFailure(new openai.APIUserAbortError(), signal, false)).toMatchObject({
      kind: 'retry',
      failure: { code: 'provider_timeout' },
    });
    expect(classifyAttemptFailure(new openai.APIUserAbortError(), signal, true)).toMatchObject({
      kind: 'fail',
      failure: { code: 'provider_timeout' },
    });
  });

  it('reports a cancel as cancelled, using no retry, even on the last attempt', () => {
    const signal = abortedWith(new LlmAbortReason('cancelled'));
    for (const last of [false, true]) {
      expect(classifyAttemptFailure(new openai.APIUserAbortError(), signal, last)).toEqual({
        kind: 'cancelled',
      });
    }
  });

  it('hands the execution back on a worker shutdown, whatever the provider call threw', () => {
    const signal = abortedWith(new WorkerShutdownInterruption());
    for (const thrown of [new openai.APIUserAbortError(), http(500), new Error('x')]) {
      expect(classifyAttemptFailure(thrown, signal, true)).toEqual({ kind: 'interrupted' });
    }
  });

  it('hands the execution back when its concurrency slot was lost, not as a cancel', () => {
    const signal = abortedWith(new ConcurrencySlotLost('e1', 'lease gone'));
    for (const thrown of [new openai.APIUserAbortError(), new Error('x')]) {
      expect(classifyAttemptFailure(thrown, signal, false)).toEqual({ kind: 'slot-lost' });
    }
  });

  it('fails with budget_exceeded when a call finds the budget spent, even with attempts left', () => {
    const problem = { code: 'budget_exceeded', message: 'the daily budget is spent' };
    expect(classifyAttemptFailure(new BudgetExceededError(problem), notAborted(), false)).toEqual({
      kind: 'fail',
      failure: problem,
    });
  });

  it('defers when the paced adapter says wait, before looking at the signal', () => {
    const deferral = new DispatchDeferral('rate_limit', 1_500);
    const signal = abortedWith(new WorkerShutdownInterruption());
    expect(classifyAttemptFailure(deferral, signal, true)).toEqual({ kind: 'deferred', deferral });
  });

  it('passes an LlmError thrown by the tool loop through as it is', () => {
    const thrown = new LlmError({ kind: 'permanent', code: 'provider_rejected', message: 'no' });
    expect(classifyAttemptFailure(thrown, notAborted(), false)).toEqual({
      kind: 'fail',
      failure: { code: 'provider_rejected', message: 'no' },
    });
  });
});

describe('adapterFailure', () => {
  it('fails an execution whose provider key cannot be decrypted', () => {
    const error = new CredentialDecryptionError('unknown_key', 'no such master key');
    expect(adapterFailure(error)).toEqual({
      code: 'provider_credentials_unreadable',
      message: 'no such master key',
    });
  });

  it('fails with the code of an LlmError raised while building the adapter', () => {
    const error = new LlmError({
      kind: 'permanent',
      code: 'provider_misconfigured',
      message: 'bad base url',
    });
    expect(adapterFailure(error)).toEqual({
      code: 'provider_misconfigured',
      message: 'bad base url',
    });
  });

  it('leaves any other error to BullMQ’s retry', () => {
    expect(adapterFailure(new Error('database went away'))).toBeNull();
  });
});

describe('configurationProblem', () => {
  const ready = () => ({
    provider: { isActive: true },
    agent: { status: 'active', llmConfig: { model: 'gpt-4o-mini' } as { model?: unknown } | null },
  });

  it('lets a runnable execution through', () => {
    expect(configurationProblem(ready())).toBeNull();
  });

  it('stops an inactive provider first', () => {
    const execution = ready();
    execution.provider.isActive = false;
    execution.agent.status = 'paused';
    expect(configurationProblem(execution)?.code).toBe('provider_inactive');
  });

  it.each(['paused', 'archived', 'draft'])('stops a %s agent', (status) => {
    const execution = ready();
    execution.agent.status = status;
    expect(configurationProblem(execution)).toEqual({
      code: 'agent_not_active',
      message: `the agent is ${status}`,
    });
  });

  it.each([null, {}, { model: 42 }])(
    'stops an agent whose llmConfig has no model: %j',
    (config) => {
      const execution = ready();
      execution.agent.llmConfig = config;
      expect(configurationProblem(execution)?.code).toBe('invalid_agent_config');
    },
  );
});
