import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { FastifyReply } from 'fastify';
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
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = this.toErrorBody(exception);
    if (status === HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error(exception instanceof Error ? exception.stack : exception);
    } else if (status >= 500) {
      this.logger.warn(`${status}: ${body.error.message}`);
    }
    if (reply.sent) return;
    if (exception instanceof RetryLaterError) {
      reply.header('Retry-After', String(exception.retryAfterSeconds));
    }
    void reply.status(status).send(body);
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
    // Fastify's own client errors (413 body too large, ...) arrive before Nest sees the route.
    const fastifyError = exception as { statusCode?: unknown; message?: unknown };
    if (
      typeof fastifyError?.statusCode === 'number' &&
      fastifyError.statusCode >= 400 &&
      fastifyError.statusCode < 500
    ) {
      const status = fastifyError.statusCode;
      const code = HTTP_CODES[status] ?? 'bad_request';
      return { status, body: { error: { code, message: String(fastifyError.message) } } };
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
