import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiKeyScope } from '@agentq/database';
import { DataSource } from 'typeorm';
import { hashApiKeySecret, looksLikeApiKey } from './api-key-secret';
import { AuthContext } from './auth.decorators';

@Injectable()
export class ApiKeyAuthenticator {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The key's tenant and scopes, or null for an unknown or revoked key. */
  async authenticate(secret: string): Promise<AuthContext | null> {
    if (!looksLikeApiKey(secret)) return null;
    // Looking up by hash: the secret itself never reaches the database or a comparison.
    // The tenant is not known yet, so this goes through the one narrow SECURITY DEFINER
    // function row-level security allows for it (it also stamps last_used_at).
    const rows: { id: string; tenant_id: string; scopes: ApiKeyScope[] }[] =
      await this.dataSource.query(
        `SELECT id, tenant_id, scopes FROM agentq_authenticate_api_key($1)`,
        [hashApiKeySecret(secret)],
      );
    if (rows.length === 0) return null;
    return { apiKeyId: rows[0].id, tenantId: rows[0].tenant_id, scopes: rows[0].scopes };
  }
}
