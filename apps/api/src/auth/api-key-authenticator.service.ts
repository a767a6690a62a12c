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
    // TypeORM answers an UPDATE with [rows, affectedCount].
    const [rows]: [{ id: string; tenant_id: string; scopes: ApiKeyScope[] }[], number] =
      await this.dataSource.query(
        `UPDATE api_keys SET last_used_at = now()
          WHERE key_hash = $1 AND revoked_at IS NULL
          RETURNING id, tenant_id, scopes`,
        [hashApiKeySecret(secret)],
      );
    if (rows.length === 0) return null;
    return { apiKeyId: rows[0].id, tenantId: rows[0].tenant_id, scopes: rows[0].scopes };
  }
}
