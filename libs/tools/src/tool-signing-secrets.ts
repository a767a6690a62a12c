import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { recordAudit } from '@agentq/audit';
import { ToolSigningSecretCipher } from '@agentq/crypto';
import { inTenantTransaction } from '@agentq/database';
import { newWebhookSecret } from '@agentq/webhooks';
import { DataSource, EntityManager } from 'typeorm';

export interface ToolSigningSecretInfo {
  exists: boolean;
  last4: string | null;
  createdAt: Date | null;
}

export interface NewToolSigningSecret {
  secret: string;
  last4: string;
  createdAt: Date;
}

const UPSERT_SQL = `
INSERT INTO tool_signing_secrets (tenant_id, secret_ciphertext, secret_last4)
VALUES ($1, $2, $3)
ON CONFLICT (tenant_id) DO UPDATE
  SET secret_ciphertext = EXCLUDED.secret_ciphertext, secret_last4 = EXCLUDED.secret_last4,
      created_at = now()
RETURNING created_at`;

const CREATE_IF_MISSING_SQL = `
INSERT INTO tool_signing_secrets (tenant_id, secret_ciphertext, secret_last4)
VALUES ($1, $2, $3)
ON CONFLICT (tenant_id) DO NOTHING`;

const READ_SQL = `
SELECT secret_ciphertext, secret_last4, created_at FROM tool_signing_secrets WHERE tenant_id = $1`;

/**
 * The one owner of `tool_signing_secrets`: each tenant's Standard Webhooks secret for signing
 * its http tool calls. Created on first use, replaced by a rotation, shown in full only when a
 * rotation creates it.
 */
@Injectable()
export class ToolSigningSecrets {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: ToolSigningSecretCipher,
  ) {}

  describe(tenantId: string): Promise<ToolSigningSecretInfo> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const [row] = await read(manager, tenantId);
      return {
        exists: Boolean(row),
        last4: row?.secret_last4 ?? null,
        createdAt: row?.created_at ?? null,
      };
    });
  }

  rotate(tenantId: string): Promise<NewToolSigningSecret> {
    const secret = newWebhookSecret();
    const last4 = secret.slice(-4);
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const [before] = await read(manager, tenantId);
      const [row]: { created_at: Date }[] = await manager.query(UPSERT_SQL, [
        tenantId,
        this.cipher.encrypt(secret, tenantId),
        last4,
      ]);
      await recordAudit(manager, {
        tenantId,
        action: 'tool_signing_secret.rotated',
        targetType: 'tool_signing_secret',
        targetId: tenantId,
        before: before ? { last4: before.secret_last4, createdAt: before.created_at } : null,
        after: { last4, createdAt: row.created_at },
      });
      return { secret, last4, createdAt: row.created_at };
    });
  }

  /** The tenant's secret in clear, created now if it has none. @throws CredentialDecryptionError */
  forSigning(tenantId: string): Promise<string> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      let [row] = await read(manager, tenantId);
      if (!row) {
        const secret = newWebhookSecret();
        await manager.query(CREATE_IF_MISSING_SQL, [
          tenantId,
          this.cipher.encrypt(secret, tenantId),
          secret.slice(-4),
        ]);
        [row] = await read(manager, tenantId);
      }
      return this.cipher.decrypt(row.secret_ciphertext, tenantId);
    });
  }
}

function read(
  manager: EntityManager,
  tenantId: string,
): Promise<{ secret_ciphertext: string; secret_last4: string; created_at: Date }[]> {
  return manager.query(READ_SQL, [tenantId]);
}
