import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { AuthContext } from '../auth/auth.decorators';

// Nest's own metadata key for a controller's and a route's path (@Controller, @Get, ...).
const PATH_METADATA = 'path';

/**
 * Names the HTTP server span (made by @opentelemetry/instrumentation-http) after the matched
 * route and adds the tenant, from Nest's metadata: the same under Express or Fastify. Installed
 * only when tracing is on.
 */
@Injectable()
export class TraceRouteInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const span = trace.getActiveSpan();
    if (span && context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<{ method: string; auth?: AuthContext }>();
      const route = routeOf(context);
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
      if (request.auth?.tenantId) span.setAttribute('agentq.tenant.id', request.auth.tenantId);
    }
    return next.handle();
  }
}

function routeOf(context: ExecutionContext): string {
  const parts = [context.getClass(), context.getHandler()]
    .map((target): unknown => Reflect.getMetadata(PATH_METADATA, target))
    .flatMap((path) => (typeof path === 'string' ? path.split('/') : []))
    .filter(Boolean);
  return `/${parts.join('/')}`;
}
