import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { AuditActor, auditContext } from '@agentq/audit';
import { Observable } from 'rxjs';
import { AuthContext } from '../auth/auth.decorators';

/**
 * Runs each HTTP request's handler with its audit actor (the API key, or the admin token),
 * request id and source address, so services record who did what (libs/audit's recordAudit)
 * without passing them along. Guards have run by then: `auth` is set for API-key routes.
 */
@Injectable()
export class AuditContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<{
      id?: string;
      ip?: string;
      headers: Record<string, string | string[] | undefined>;
      auth?: AuthContext;
    }>();
    const requestHeader = request.headers['x-request-id'];
    const actor: AuditActor = {
      type: request.auth ? 'api_key' : 'admin',
      apiKeyId: request.auth?.apiKeyId ?? null,
      requestId:
        (typeof requestHeader === 'string' ? requestHeader.slice(0, 200) : null) ??
        request.id ??
        null,
      sourceAddress: request.ip ?? null,
    };
    return new Observable((subscriber) =>
      auditContext.run(actor, () => next.handle().subscribe(subscriber)),
    );
  }
}
