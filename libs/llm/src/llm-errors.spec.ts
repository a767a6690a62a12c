import * as anthropic from '@anthropic-ai/sdk';
import * as openai from 'openai';
import { LlmAbortReason } from './llm-abort-reason';
import { classifyProviderError, LlmError } from './llm-errors';

const sdks = [
  ['openai', openai],
  ['anthropic', anthropic],
] as const;

describe.each(sdks)('classifyProviderError for %s SDK errors', (_name, sdk) => {
  const httpError = (status: number, headers: Record<string, string> = {}, body: object = {}) =>
    sdk.APIError.generate(status, body, `${status} from the provider`, new Headers(headers));

  it('reports 429 as rate limited with the wait the provider asked for', () => {
    const error = classifyProviderError(httpError(429, { 'retry-after': '2' }));
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({
      kind: 'rate_limited',
      code: 'provider_rate_limited',
      status: 429,
      retryAfterMs: 2_000,
    });
  });

  it('leaves retryAfterMs unset when the provider gives no wait', () => {
    const error = classifyProviderError(httpError(429));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeUndefined();
  });

  it.each([500, 502, 503, 504, 529, 408, 409])('reports %i as transient', (status) => {
    expect(classifyProviderError(httpError(status))).toMatchObject({
      kind: 'transient',
      code: 'provider_unavailable',
      status,
    });
  });

  it('keeps a Retry-After sent with a 503', () => {
    expect(classifyProviderError(httpError(503, { 'retry-after': '5' })).retryAfterMs).toBe(5_000);
  });

  it.each([400, 401, 403, 404, 413, 422])('reports %i as permanent', (status) => {
    expect(classifyProviderError(httpError(status))).toMatchObject({
      kind: 'permanent',
      code: 'provider_rejected',
      status,
    });
  });

  it('reports connection failures as transient', () => {
    const error = new sdk.APIConnectionError({ cause: new Error('socket') });
    expect(classifyProviderError(error)).toMatchObject({
      kind: 'transient',
      code: 'provider_unavailable',
    });
  });

  it("reports the SDK's own timeout as transient", () => {
    expect(classifyProviderError(new sdk.APIConnectionTimeoutError())).toMatchObject({
      kind: 'transient',
      code: 'provider_timeout',
    });
  });

  it('reports a request the SDK refused to send as permanent', () => {
    const refusal = 'OpenAIError' in sdk ? new sdk.OpenAIError('no') : new sdk.AnthropicError('no');
    expect(classifyProviderError(refusal)).toMatchObject({
      kind: 'permanent',
      code: 'provider_rejected',
    });
  });

  it('reports an abort without a known reason as a cancel', () => {
    expect(classifyProviderError(new sdk.APIUserAbortError())).toMatchObject({
      kind: 'aborted',
      code: 'cancelled',
    });
  });
});

describe('classifyProviderError', () => {
  it('tells OpenAI running out of credit from being rate limited', () => {
    const error = openai.APIError.generate(
      429,
      { error: { code: 'insufficient_quota', message: 'quota' } },
      undefined,
      new Headers({ 'retry-after': '1' }),
    );
    expect(classifyProviderError(error)).toMatchObject({
      kind: 'permanent',
      code: 'provider_quota_exceeded',
      status: 429,
    });
    expect(classifyProviderError(error).retryAfterMs).toBeUndefined();
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'ETIMEDOUT'])(
    'reports a socket error %s, however deeply wrapped, as transient',
    (code) => {
      const socketError = Object.assign(new Error('socket'), { code });
      const fetchError = new TypeError('fetch failed', { cause: socketError });
      expect(classifyProviderError(fetchError)).toMatchObject({
        kind: 'transient',
        code: 'provider_unavailable',
      });
      expect(classifyProviderError(socketError).kind).toBe('transient');
    },
  );

  it('reports an unparseable body as a transient bad response', () => {
    expect(classifyProviderError(new SyntaxError('Unexpected end of JSON input'))).toMatchObject({
      kind: 'transient',
      code: 'provider_bad_response',
    });
  });

  it.each([
    ['timeout', 'timeout', 'provider_timeout'],
    ['cancelled', 'aborted', 'cancelled'],
  ] as const)(
    'reads an abort for %s from the signal, whatever was thrown',
    (reason, kind, code) => {
      const controller = new AbortController();
      controller.abort(new LlmAbortReason(reason));
      for (const thrown of [
        new openai.APIUserAbortError(),
        new anthropic.APIUserAbortError(),
        controller.signal.reason,
        new DOMException('aborted', 'AbortError'),
        openai.APIError.generate(500, {}, 'late', new Headers()),
      ]) {
        expect(classifyProviderError(thrown, controller.signal)).toMatchObject({ kind, code });
      }
    },
  );

  it('reads the abort reason when the reason itself was thrown', () => {
    expect(classifyProviderError(new LlmAbortReason('timeout')).kind).toBe('timeout');
    expect(classifyProviderError(new LlmAbortReason('cancelled')).kind).toBe('aborted');
  });

  it('treats an AbortSignal.timeout() abort as a timeout', () => {
    const controller = new AbortController();
    controller.abort(new DOMException('timed out', 'TimeoutError'));
    expect(classifyProviderError(new Error('x'), controller.signal).kind).toBe('timeout');
  });

  it('ignores a signal that was not aborted', () => {
    const error = openai.APIError.generate(400, {}, 'bad', new Headers());
    expect(classifyProviderError(error, new AbortController().signal).kind).toBe('permanent');
  });

  it('returns an LlmError unchanged', () => {
    const error = new LlmError({ kind: 'permanent', code: 'provider_misconfigured', message: 'x' });
    expect(classifyProviderError(error)).toBe(error);
  });

  it('treats anything else as transient, keeping the original as the cause', () => {
    const original = new Error('something odd');
    const error = classifyProviderError(original);
    expect(error).toMatchObject({
      kind: 'transient',
      code: 'provider_error',
      message: 'something odd',
    });
    expect(error.cause).toBe(original);
  });
});
