import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/** A typed, expected failure; ApiExceptionFilter turns it into `{ error: { code, message, details? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends ApiError {
  constructor(resource: string) {
    super(HttpStatus.NOT_FOUND, 'not_found', `${resource} not found`);
  }
}

export class ValidationFailedError extends ApiError {
  constructor(details: FieldError[], message = 'request validation failed') {
    super(HttpStatus.BAD_REQUEST, 'validation_failed', message, details);
  }
}

/** Well-formed but not acceptable: a cron expression or time zone that cannot be used (422). */
export class UnprocessableError extends ApiError {
  constructor(code: string, message: string, details?: FieldError[]) {
    super(HttpStatus.UNPROCESSABLE_ENTITY, code, message, details);
  }
}

export class ConflictError extends ApiError {
  constructor(code: string, message: string, details?: unknown) {
    super(HttpStatus.CONFLICT, code, message, details);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'missing or invalid API key') {
    super(HttpStatus.UNAUTHORIZED, 'unauthorized', message);
  }
}

export class ForbiddenScopeError extends ApiError {
  constructor(scope: string) {
    super(HttpStatus.FORBIDDEN, 'insufficient_scope', `this API key lacks the '${scope}' scope`);
  }
}

/** A console write without its session's CSRF token (403 csrf_failed). */
export class CsrfError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.FORBIDDEN, 'csrf_failed', message);
  }
}

export class ServiceUnavailableError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.SERVICE_UNAVAILABLE, 'service_unavailable', message);
  }
}

/** 402: a spend budget (named in the message) is exhausted; nothing was written. */
export class BudgetExceededApiError extends ApiError {
  constructor(message: string) {
    super(HttpStatus.PAYMENT_REQUIRED, 'budget_exceeded', message);
  }
}

/** A 429: the answer carries `Retry-After`. */
export abstract class RetryLaterError extends ApiError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(HttpStatus.TOO_MANY_REQUESTS, code, message);
  }
}

export class RateLimitedError extends RetryLaterError {
  constructor(retryAfterSeconds: number) {
    super(
      'rate_limited',
      'too many failed authentication attempts from this address; retry later',
      retryAfterSeconds,
    );
  }
}

/** An agent's rateLimitPerKey: the key value's submissions of the last minute are at the limit. */
export class KeyRateLimitedError extends RetryLaterError {
  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limited', message, retryAfterSeconds);
  }
}

/** Load shedding: the queue is full, the submission was not written. */
export class QueueFullApiError extends RetryLaterError {
  constructor(retryAfterSeconds: number) {
    super(
      'queue_full',
      'too many executions are waiting in the queue; retry after the Retry-After delay',
      retryAfterSeconds,
    );
  }
}
