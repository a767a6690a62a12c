import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiKeyScope } from '@agentq/database';
import { DataSource } from 'typeorm';
import {
  ConsoleSecretKind,
  ConsoleSessionGrant,
  hashConsoleSecret,
  looksLikeConsoleSecret,
  newConsoleSecret,
} from './console-session';

interface GrantRow {
  tenant_id: string | null;
  api_key_id: string | null;
  admin: boolean;
  scopes: ApiKeyScope[];
  expires_at?: Date;
}

export interface OpenedSecret {
  secret: string;
  expiresAt: Date;
}

export interface LiveConsoleSession extends ConsoleSessionGrant {
  expiresAt: Date;
}

const grantOf = (row: GrantRow): ConsoleSessionGrant => ({
  tenantId: row.tenant_id,
  apiKeyId: row.api_key_id,
  admin: row.admin,
  scopes: row.scopes,
});

/**
 * The owner of console_sessions (sessions and one-time login links). Sessions are looked up
 * before the tenant is known, so every statement is one of the table's SECURITY DEFINER
 * functions (migration CreateConsoleSessions).
 */
@Injectable()
export class ConsoleSessions {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A new session with the grant's rights, for ttlMs; the secret goes into the cookie. */
  open(grant: ConsoleSessionGrant, ttlMs: number): Promise<OpenedSecret> {
    return this.store('session', grant, ttlMs);
  }

  /** A one-time login link's token: redeeming it opens a session with the same rights. */
  createLoginLink(grant: ConsoleSessionGrant, ttlMs: number): Promise<OpenedSecret> {
    return this.store('login_link', grant, ttlMs);
  }

  /** The link's rights, once: the row is gone afterwards. Null for an unknown, used or expired link. */
  async redeemLoginLink(secret: string): Promise<ConsoleSessionGrant | null> {
    if (!looksLikeConsoleSecret(secret, 'login_link')) return null;
    const rows: GrantRow[] = await this.dataSource.query(
      `SELECT * FROM agentq_redeem_console_login($1) AS console_sessions`,
      [hashConsoleSecret(secret)],
    );
    return rows.length > 0 ? grantOf(rows[0]) : null;
  }

  /** A live session (not expired, its key not revoked), with the key's scopes as they are now. */
  async find(secret: string): Promise<LiveConsoleSession | null> {
    if (!looksLikeConsoleSecret(secret, 'session')) return null;
    const rows: GrantRow[] = await this.dataSource.query(
      `SELECT * FROM agentq_console_session($1) AS console_sessions`,
      [hashConsoleSecret(secret)],
    );
    if (rows.length === 0) return null;
    return { ...grantOf(rows[0]), expiresAt: new Date(rows[0].expires_at ?? 0) };
  }

  /** Sign-out: the session is deleted (a second sign-out is a no-op). */
  async close(secret: string): Promise<void> {
    await this.dataSource.query(`SELECT agentq_close_console_session($1)`, [
      hashConsoleSecret(secret),
    ]);
  }

  private async store(
    kind: ConsoleSecretKind,
    grant: ConsoleSessionGrant,
    ttlMs: number,
  ): Promise<OpenedSecret> {
    const { secret, hash } = newConsoleSecret(kind);
    const expiresAt = new Date(Date.now() + ttlMs);
    await this.dataSource.query(`SELECT agentq_open_console_session($1, $2, $3, $4, $5, $6, $7)`, [
      hash,
      kind,
      grant.tenantId,
      grant.apiKeyId,
      grant.admin,
      grant.scopes,
      expiresAt,
    ]);
    return { secret, expiresAt };
  }
}
