import type { APIError as AnthropicApiError } from '@anthropic-ai/sdk';
import type { APIError as OpenAiApiError } from 'openai';
import { findOutboundError } from '@agentq/outbound';
import { LlmAbortReason } from './llm-abort-reason';
import { anthropicSdk, openAiSdk } from './provider-sdks';
import { retryAfterMs } from './retry-after';

/**
 * What the caller should do: `rate_limited` and `transient` may succeed on a later attempt
 * (honour `retryAfterMs` when set), `permanent` will not, `timeout` is the caller's own deadline,
 * `aborted` is a cancel.
 */
export type LlmErrorKind = 'rate_limited' | 'transient' | 'permanent' | 'timeout' | 'aborted';

export type LlmErrorCode =
  | 'provider_rate_limited'
  | 'provider_quota_exceeded'
  | 'provider_unavailable'
  | 'provider_rejected'
  | 'provider_misconfigured'
  | 'provider_timeout'
  | 'provider_bad_response'
  | 'provider_error'
  | 'cancelled';

export interface LlmErrorFields {
  kind: LlmErrorKind;
  code: LlmErrorCode;
  message: string;
  /** HTTP status of the provider's answer, when there was one. */
  status?: number;
  /** How long the provider asked us to wait before trying again. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** The only error an adapter rejects with. */
export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly code: LlmErrorCode;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor({ kind, code, message, status, retryAfterMs, cause }: LlmErrorFields) {
    super(message, { cause });
    this.name = 'LlmError';
    this.kind = kind;
    this.code = code;
    if (status !== undefined) this.status = status;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

// Both SDKs are generated from the same template, so their error classes line up one to one.
const isOpenAiApiError = (error: unknown): error is OpenAiApiError =>
  error instanceof openAiSdk().APIError;
const isApiError = (error: unknown): error is OpenAiApiError | AnthropicApiError =>
  isOpenAiApiError(error) || error instanceof anthropicSdk().APIError;
const isUserAbort = (error: unknown) =>
  error instanceof openAiSdk().APIUserAbortError ||
  error instanceof anthropicSdk().APIUserAbortError;
const isConnectionTimeout = (error: unknown) =>
  error instanceof openAiSdk().APIConnectionTimeoutError ||
  error instanceof anthropicSdk().APIConnectionTimeoutError;
const isConnectionError = (error: unknown) =>
  error instanceof openAiSdk().APIConnectionError ||
  error instanceof anthropicSdk().APIConnectionError;
const isSdkError = (error: unknown) =>
  error instanceof openAiSdk().OpenAIError || error instanceof anthropicSdk().AnthropicError;

// By name where the error may come from another realm (undici's, or jest's vm) and fail instanceof.
const nameOf = (error: unknown) => (error as { name?: unknown } | null | undefined)?.name;

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

// fetch wraps socket failures (`TypeError: fetch failed`, `terminated`) with the real code in `cause`.
function hasNetworkErrorCode(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
    current = cause;
  }
  return false;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function abortedBy(reason: unknown, cause: unknown): LlmError {
  const timedOut =
    reason instanceof LlmAbortReason
      ? reason.kind === 'timeout'
      : nameOf(reason) === 'TimeoutError'; // AbortSignal.timeout()
  return timedOut
    ? new LlmError({
        kind: 'timeout',
        code: 'provider_timeout',
        message: 'the provider call timed out',
        cause,
      })
    : new LlmError({
        kind: 'aborted',
        code: 'cancelled',
        message: 'the provider call was cancelled',
        cause,
      });
}

function fromHttpStatus(error: OpenAiApiError | AnthropicApiError, status: number): LlmError {
  const fields = {
    message: error.message,
    status,
    retryAfterMs: retryAfterMs(error.headers),
    cause: error,
  };
  if (status === 429) {
    // OpenAI answers 429 both to "slow down" and to "out of credit"; only the code tells them apart.
    if (isOpenAiApiError(error) && error.code === 'insufficient_quota') {
      return new LlmError({
        ...fields,
        kind: 'permanent',
        code: 'provider_quota_exceeded',
        retryAfterMs: undefined,
      });
    }
    return new LlmError({ ...fields, kind: 'rate_limited', code: 'provider_rate_limited' });
  }
  if (status >= 500 || status === 408 || status === 409) {
    return new LlmError({ ...fields, kind: 'transient', code: 'provider_unavailable' });
  }
  if (status >= 400) {
    return new LlmError({
      ...fields,
      kind: 'permanent',
      code: 'provider_rejected',
      retryAfterMs: undefined,
    });
  }
  return new LlmError({ ...fields, kind: 'transient', code: 'provider_bad_response' });
}

/**
 * Turns whatever a provider call threw into an `LlmError`, by the signal's abort reason, HTTP
 * status, SDK error class or socket error code; never by message text. Pass the call's signal so
 * an abort is reported as `timeout` or `aborted` whatever shape the SDK gave it.
 */
export function classifyProviderError(error: unknown, signal?: AbortSignal): LlmError {
  if (error instanceof LlmError) return error;
  if (signal?.aborted) return abortedBy(signal.reason, error);
  if (error instanceof LlmAbortReason) return abortedBy(error, error);
  if (isApiError(error) && error.status !== undefined) return fromHttpStatus(error, error.status);
  // The outbound policy stopped the request: the provider's configuration must change first.
  const refused = findOutboundError(error);
  if (refused) {
    return new LlmError({
      kind: 'permanent',
      code: 'provider_misconfigured',
      message: refused.message,
      cause: error,
    });
  }
  if (isUserAbort(error)) return abortedBy(undefined, error);
  const message = messageOf(error);
  if (isConnectionTimeout(error)) {
    return new LlmError({ kind: 'transient', code: 'provider_timeout', message, cause: error });
  }
  if (isConnectionError(error) || hasNetworkErrorCode(error)) {
    return new LlmError({ kind: 'transient', code: 'provider_unavailable', message, cause: error });
  }
  // A 200 whose JSON body does not parse: fetch's `response.json()` throws a SyntaxError.
  if (nameOf(error) === 'SyntaxError') {
    return new LlmError({
      kind: 'transient',
      code: 'provider_bad_response',
      message,
      cause: error,
    });
  }
  // The SDK refused the request before sending it (e.g. a missing parameter): retrying cannot help.
  if (isSdkError(error)) {
    return new LlmError({ kind: 'permanent', code: 'provider_rejected', message, cause: error });
  }
  return new LlmError({ kind: 'transient', code: 'provider_error', message, cause: error });
}
