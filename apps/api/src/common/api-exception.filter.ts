import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { Response } from 'express';
import { isDatabaseUnavailable } from '@agentq/executions';
import { ApiError, RetryLaterError } from './api-errors';

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** The one place errors become the API's JSON shape: `{ error: { code, message, details? } }`. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(ApiExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.toErrorBody(exception);
    if (status === HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error(exception instanceof Error ? exception.stack : exception);
    } else if (status >= 500) {
      this.logger.warn(`${status}: ${body.error.message}`);
    }
    if (response.headersSent) return;
    if (exception instanceof RetryLaterError) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    response.status(status).json(body);
  }

  private toErrorBody(exception: unknown) {
    if (exception instanceof ApiError) {
      const error = {
        code: exception.code,
        message: exception.message,
        details: exception.details,
      };
      return { status: exception.status, body: { error } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const answer = exception.getResponse();
      const message =
        typeof answer === 'string'
          ? answer
          : String((answer as { message?: unknown }).message ?? exception.message);
      return { status, body: { error: { code: HTTP_CODES[status] ?? 'error', message } } };
    }
    // body-parser's http-errors (413 too large, 415 charset, ...) arrive before Nest sees the route.
    const httpError = exception as { expose?: boolean; status?: number; message?: string };
    if (
      httpError?.expose === true &&
      typeof httpError.status === 'number' &&
      httpError.status < 500
    ) {
      const code = HTTP_CODES[httpError.status] ?? 'bad_request';
      return {
        status: httpError.status,
        body: { error: { code, message: String(httpError.message) } },
      };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: { error: { code: 'service_unavailable', message: 'the database is unavailable' } },
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: { code: 'internal_error', message: 'internal server error' } },
    };
  }
}
