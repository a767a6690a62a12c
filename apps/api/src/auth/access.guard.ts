import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { FastifyRequest } from 'fastify';
import {
  CsrfError,
  ForbiddenScopeError,
  RateLimitedError,
  UnauthorizedError,
} from '../common/api-errors';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import { secretsEqual } from './api-key-secret';
import { ACCESS_POLICY, AccessPolicy, AuthContext } from './auth.decorators';
import { bearerToken } from './bearer-token';
import {
  CONSOLE_SESSION_COOKIE,
  CSRF_HEADER,
  csrfProblem,
  sessionRefusal,
} from './console-session';
import { ConsoleSessions } from './console-sessions.service';
import { FailedAuthLimiter } from './failed-auth-limiter.service';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every route needs a tenant API key unless marked @Public() or @AdminOnly().
 * Reads need the `read` scope, anything else `write`. Without an Authorization header, the
 * console's session cookie stands for the key (or admin token) it was opened with, and a write
 * must also carry the session's CSRF token (docs/security.md, "The console").
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly limiter: FailedAuthLimiter,
    private readonly consoleSessions: ConsoleSessions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy =
      this.reflector.getAllAndOverride<AccessPolicy>(ACCESS_POLICY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'api-key';
    if (policy === 'public') return true;

    const request = context.switchToHttp().getRequest<FastifyRequest & { auth?: AuthContext }>();
    const address = request.ip;
    const blockedFor = this.limiter.blockedForSeconds(address);
    if (blockedFor > 0) throw new RateLimitedError(blockedFor);
    const refuse = (error: UnauthorizedError) => {
      const blockedFor = this.limiter.recordFailure(address);
      return blockedFor > 0 ? new RateLimitedError(blockedFor) : error;
    };

    const token = bearerToken(request.headers.authorization);
    const sessionSecret = request.cookies?.[CONSOLE_SESSION_COOKIE];
    if (!token && !request.headers.authorization && sessionSecret) {
      const session = await this.consoleSessions.find(sessionSecret);
      if (!session) throw refuse(new UnauthorizedError('console session expired or signed out'));
      const refusal = sessionRefusal(policy, session, request.method);
      if (refusal === 'admin_only') throw new UnauthorizedError('this route needs the admin token');
      if (refusal === 'tenant_only') {
        throw new UnauthorizedError('an admin session has no tenant: sign in with an API key');
      }
      if (refusal) throw new ForbiddenScopeError(refusal.slice('scope:'.length));
      const csrf = csrfProblem(request.method, sessionSecret, request.headers[CSRF_HEADER]);
      if (csrf) throw new CsrfError(csrf);
      if (session.tenantId && session.apiKeyId) {
        request.auth = {
          tenantId: session.tenantId,
          apiKeyId: session.apiKeyId,
          scopes: session.scopes,
        };
      }
      return true;
    }
    if (!token) throw refuse(new UnauthorizedError('Authorization: Bearer <token> is required'));

    if (policy === 'admin') {
      if (!secretsEqual(token, this.config.adminToken)) {
        throw refuse(new UnauthorizedError('invalid admin token'));
      }
      return true;
    }

    const auth = await this.authenticator.authenticate(token);
    if (!auth) throw refuse(new UnauthorizedError());
    // Concurrent failures may have reached the limit while this lookup ran.
    const blockedSince = this.limiter.blockedForSeconds(address);
    if (blockedSince > 0) throw new RateLimitedError(blockedSince);
    const scope = READ_METHODS.has(request.method) ? 'read' : 'write';
    if (!auth.scopes.includes(scope)) throw new ForbiddenScopeError(scope);
    request.auth = auth;
    return true;
  }
}
