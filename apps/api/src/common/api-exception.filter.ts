import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Response } from 'express';
import { ApiError } from './api-errors';

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
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : exception);
    if (response.headersSent) return;
    response.status(status).json(body);
  }

  private toErrorBody(exception: unknown) {
    if (exception instanceof ApiError) {
      const error = { code: exception.code, message: exception.message, details: exception.details };
      return { status: exception.status, body: { error } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const answer = exception.getResponse();
      const message =
        typeof answer === 'string' ? answer : String((answer as { message?: unknown }).message ?? exception.message);
      return { status, body: { error: { code: HTTP_CODES[status] ?? 'error', message } } };
    }
    const bodyParserError = exception as { type?: string; status?: number };
    if (bodyParserError?.type === 'entity.too.large') {
      return { status: 413, body: { error: { code: 'payload_too_large', message: 'request body too large' } } };
    }
    if (bodyParserError?.type === 'entity.parse.failed') {
      return { status: 400, body: { error: { code: 'invalid_json', message: 'request body is not valid JSON' } } };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: { code: 'internal_error', message: 'internal server error' } },
    };
  }
}
