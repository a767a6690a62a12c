import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiKeyScope } from '@agentq/database';
import { DataSource } from 'typeorm';
import { ApiKeyCache } from './api-key-cache';
import { hashApiKeySecret, looksLikeApiKey } from './api-key-secret';
import { ApiKeyUsage } from './api-key-usage.service';
import { AuthContext } from './auth.decorators';

@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: ApiKeyCache,
    private readonly usage: ApiKeyUsage,
  ) {}

  /** The key's tenant and scopes, or null for an unknown or revoked key. */
  async authenticate(secret: string): Promise<AuthContext | null> {
    if (!looksLikeApiKey(secret)) return null;
    // Looking up by hash: the secret itself never reaches the database or a comparison.
    const auth = await this.cache.resolve(hashApiKeySecret(secret), (hash) => this.lookup(hash));
    if (auth) this.usage.record(auth.apiKeyId);
    return auth;
  }

  // The tenant is not known yet, so this goes through the one narrow SECURITY DEFINER function
  // row-level security allows for it.
  private async lookup(hash: string): Promise<AuthContext | null> {
    const rows: { id: string; tenant_id: string; scopes: ApiKeyScope[] }[] =
      await this.dataSource.query(
        `SELECT id, tenant_id, scopes FROM agentq_authenticate_api_key($1)`,
        [hash],
      );
    if (rows.length === 0) return null;
    return { apiKeyId: rows[0].id, tenantId: rows[0].tenant_id, scopes: rows[0].scopes };
  }
}
