import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { inTenantTransaction, Tenant } from '@agentq/database';
import { DataSource } from 'typeorm';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator.service';
import { secretsEqual } from '../auth/api-key-secret';
import { AuthContext } from '../auth/auth.decorators';
import { ConsoleSessionGrant, csrfTokenFor } from '../auth/console-session';
import { ConsoleSessions, OpenedSecret } from '../auth/console-sessions.service';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter.service';
import { RateLimitedError, UnauthorizedError, ValidationFailedError } from '../common/api-errors';
import { ConsoleLoginLinkView, ConsoleSessionView } from './console-session.view';
import { CreateConsoleSessionDto } from './dto/create-console-session.dto';

/** Sign-in, the session the console reads back, sign-out and one-time login links. */
@Injectable()
export class ConsoleSignIn {
  constructor(
    private readonly sessions: ConsoleSessions,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly limiter: FailedAuthLimiter,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The rights the body's key, admin token or login link carries, or a 401; failures count
   * against the address like any failed authentication (429 past the limit).
   */
  async grantFor(body: CreateConsoleSessionDto, address: string): Promise<ConsoleSessionGrant> {
    const blockedFor = this.limiter.blockedForSeconds(address);
    if (blockedFor > 0) throw new RateLimitedError(blockedFor);
    const grant = await this.grantOf(body);
    if (grant) return grant;
    const blocked = this.limiter.recordFailure(address);
    if (blocked > 0) throw new RateLimitedError(blocked);
    throw new UnauthorizedError(
      body.loginToken === undefined ? undefined : 'login link unknown, used or expired',
    );
  }

  private async grantOf(body: CreateConsoleSessionDto): Promise<ConsoleSessionGrant | null> {
    if ((body.token === undefined) === (body.loginToken === undefined)) {
      const message = 'give exactly one of token and loginToken';
      throw new ValidationFailedError([
        { field: 'token', message },
        { field: 'loginToken', message },
      ]);
    }
    if (body.loginToken !== undefined) {
      return this.sessions.redeemLoginLink(body.loginToken);
    }
    const token = body.token ?? '';
    if (secretsEqual(token, this.config.adminToken)) {
      return { tenantId: null, apiKeyId: null, admin: true, scopes: [] };
    }
    const auth = await this.authenticator.authenticate(token);
    if (!auth) return null;
    return { tenantId: auth.tenantId, apiKeyId: auth.apiKeyId, admin: false, scopes: auth.scopes };
  }

  open(grant: ConsoleSessionGrant): Promise<OpenedSecret> {
    return this.sessions.open(grant, this.config.auth.consoleSessionTtlMs);
  }

  /** The view of a live session, or a 401. */
  async view(secret: string | undefined): Promise<ConsoleSessionView> {
    const session = secret ? await this.sessions.find(secret) : null;
    if (!secret || !session) throw new UnauthorizedError('no console session: sign in');
    const tenantName = session.tenantId
      ? await inTenantTransaction(this.dataSource, session.tenantId, async (manager) => {
          const tenant = await manager.findOne(Tenant, { where: { id: session.tenantId ?? '' } });
          return tenant?.name ?? null;
        })
      : null;
    return {
      admin: session.admin,
      tenantId: session.tenantId,
      tenantName,
      scopes: session.scopes,
      expiresAt: session.expiresAt,
      csrfToken: csrfTokenFor(secret),
    };
  }

  close(secret: string): Promise<void> {
    return this.sessions.close(secret);
  }

  /** A one-time link that opens a console session with the caller's key's rights. */
  async loginLink(caller: AuthContext): Promise<ConsoleLoginLinkView> {
    const link = await this.sessions.createLoginLink(
      { tenantId: caller.tenantId, apiKeyId: caller.apiKeyId, admin: false, scopes: caller.scopes },
      this.config.auth.consoleLoginLinkTtlMs,
    );
    // In the fragment: a browser never sends it to a server, so no access log or Referer holds it.
    const url = `${this.config.http.publicUrl}/console/login#token=${link.secret}`;
    return { url, expiresAt: link.expiresAt };
  }
}
