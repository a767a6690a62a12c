import { loadConfigOrExit, loadKeyRotationConfig } from '@agentq/config';
import {
  CredentialCipher,
  MasterKeys,
  ToolHeaderCipher,
  ToolSigningSecretCipher,
  WebhookSecretCipher,
} from '@agentq/crypto';
import { recordAudit } from '@agentq/audit';
import { createDataSource } from '@agentq/database';
import { DataSource } from 'typeorm';

interface RotationCount {
  total: number;
  resealed: number;
  alreadyCurrent: number;
  failed: number;
}

interface SealedRow {
  id: string;
  tenant_id: string;
  envelope: string;
  // Where the envelope sits inside a jsonb column (passed as $4 to `update`).
  path?: string[];
  tool_name?: string;
  header?: string;
}

// One column of envelopes under the master key, and how to reseal a row of it.
interface SealedColumn {
  // Plural, as the report names it.
  label: string;
  // The audit log's entry for a resealed row: action and target (its id is the row's).
  action: string;
  targetType: string;
  select: string;
  // Compare-and-set on ($1 id, $2 old envelope, $3 new envelope).
  update: string;
  isSealedWithOlderKey(envelope: string): boolean;
  reseal(row: SealedRow): string;
}

function sealedColumns(masterKeys: MasterKeys): SealedColumn[] {
  const providerKeys = new CredentialCipher(masterKeys);
  const webhookSecrets = new WebhookSecretCipher(masterKeys);
  const webhookOwner = (row: SealedRow) => ({ tenantId: row.tenant_id, webhookId: row.id });
  const toolHeaders = new ToolHeaderCipher(masterKeys);
  const toolSigningSecrets = new ToolSigningSecretCipher(masterKeys);
  return [
    {
      label: 'provider key(s)',
      action: 'provider.key_resealed',
      targetType: 'provider',
      select: `SELECT id, tenant_id, api_key_ciphertext AS envelope
                 FROM llm_providers WHERE api_key_ciphertext IS NOT NULL`,
      update: `UPDATE llm_providers SET api_key_ciphertext = $3
                WHERE id = $1 AND api_key_ciphertext = $2`,
      isSealedWithOlderKey: (envelope) => providerKeys.isSealedWithOlderKey(envelope),
      reseal: (row) =>
        providerKeys.reseal(row.envelope, { tenantId: row.tenant_id, providerId: row.id }),
    },
    {
      label: 'webhook signing secret(s)',
      action: 'webhook.secret_resealed',
      targetType: 'webhook',
      select: `SELECT id, tenant_id, secret_ciphertext AS envelope FROM webhooks`,
      update: `UPDATE webhooks SET secret_ciphertext = $3 WHERE id = $1 AND secret_ciphertext = $2`,
      isSealedWithOlderKey: (envelope) => webhookSecrets.isSealedWithOlderKey(envelope),
      reseal: (row) => webhookSecrets.reseal(row.envelope, webhookOwner(row)),
    },
    {
      // The secret replaced by rotate-secret still signs until it expires; an expired one is
      // never read again, so it is left as it is.
      label: 'previous webhook signing secret(s) still valid',
      action: 'webhook.previous_secret_resealed',
      targetType: 'webhook',
      select: `SELECT id, tenant_id, previous_secret_ciphertext AS envelope FROM webhooks
                WHERE previous_secret_ciphertext IS NOT NULL AND previous_secret_expires_at > now()`,
      update: `UPDATE webhooks SET previous_secret_ciphertext = $3
                WHERE id = $1 AND previous_secret_ciphertext = $2`,
      isSealedWithOlderKey: (envelope) => webhookSecrets.isSealedWithOlderKey(envelope),
      reseal: (row) => webhookSecrets.reseal(row.envelope, webhookOwner(row)),
    },
    {
      label: 'tool signing secret(s)',
      action: 'tool_signing_secret.resealed',
      targetType: 'tool_signing_secret',
      select: `SELECT tenant_id AS id, tenant_id, secret_ciphertext AS envelope
                 FROM tool_signing_secrets`,
      update: `UPDATE tool_signing_secrets SET secret_ciphertext = $3
                WHERE tenant_id = $1 AND secret_ciphertext = $2`,
      isSealedWithOlderKey: (envelope) => toolSigningSecrets.isSealedWithOlderKey(envelope),
      reseal: (row) => toolSigningSecrets.reseal(row.envelope, row.tenant_id),
    },
    {
      label: 'http tool header value(s)',
      action: 'agent.tool_header_resealed',
      targetType: 'agent',
      select: `SELECT a.id, a.tenant_id, h.value->>'ciphertext' AS envelope,
                      t.tool->>'name' AS tool_name, h.key AS header,
                      ARRAY[(t.position - 1)::text, 'headers', h.key, 'ciphertext'] AS path
                 FROM agents a
                 CROSS JOIN jsonb_array_elements(a.tools) WITH ORDINALITY AS t(tool, position)
                 CROSS JOIN jsonb_each(COALESCE(t.tool->'headers', '{}'::jsonb)) AS h(key, value)`,
      update: `UPDATE agents SET tools = jsonb_set(tools, $4::text[], to_jsonb($3::text))
                WHERE id = $1 AND tools #>> $4::text[] = $2`,
      isSealedWithOlderKey: (envelope) => toolHeaders.isSealedWithOlderKey(envelope),
      reseal: (row) =>
        toolHeaders.reseal(row.envelope, {
          tenantId: row.tenant_id,
          agentId: row.id,
          toolName: row.tool_name!,
          header: row.header!,
        }),
    },
  ];
}

async function resealColumn(dataSource: DataSource, column: SealedColumn): Promise<RotationCount> {
  const count: RotationCount = { total: 0, resealed: 0, alreadyCurrent: 0, failed: 0 };
  const rows: SealedRow[] = await dataSource.query(column.select);
  for (const row of rows) {
    count.total += 1;
    try {
      if (!column.isSealedWithOlderKey(row.envelope)) {
        count.alreadyCurrent += 1;
        continue;
      }
      // Compare-and-set: an envelope changed meanwhile through the API is left as it is now.
      // The row and its audit entry (actor: system) commit together.
      const changed = await dataSource.transaction(async (manager) => {
        const [, affected] = await manager.query(column.update, [
          row.id,
          row.envelope,
          column.reseal(row),
          ...(row.path ? [row.path] : []),
        ]);
        if (affected === 1) {
          const where = row.tool_name ? { tool: row.tool_name, header: row.header } : {};
          await recordAudit(manager, {
            tenantId: row.tenant_id,
            action: column.action,
            targetType: column.targetType,
            targetId: row.id,
            before: { ...where, sealedWith: 'a previous master key' },
            after: { ...where, sealedWith: 'the current master key' },
          });
        }
        return affected;
      });
      if (changed === 1) count.resealed += 1;
      else count.alreadyCurrent += 1;
    } catch (error) {
      count.failed += 1;
      console.error(`keys:rotate: ${column.label}: row ${row.id}: ${(error as Error).message}`);
    }
  }
  return count;
}

// `npm run keys:rotate`: re-encrypts every provider credential, webhook and tool signing secret
// and http tool header value under
// AGENTQ_MASTER_KEY. Run it after moving the old key into AGENTQ_PREVIOUS_MASTER_KEYS; once it
// reports failed=0 everywhere, the old key can be retired.
async function main(): Promise<{ label: string; count: RotationCount }[]> {
  const config = loadConfigOrExit(process.env, loadKeyRotationConfig);
  // Every tenant's rows: the BYPASSRLS maintenance role (the schema owner is itself subject to
  // FORCE ROW LEVEL SECURITY, so it would see no rows unless it is a superuser).
  const dataSource = createDataSource({
    url: config.databaseUrl,
    applicationName: 'agentq-keys-rotate',
    role: config.maintenanceRole,
  });
  await dataSource.initialize();
  try {
    const report = [];
    for (const column of sealedColumns(config.masterKeys)) {
      report.push({ label: column.label, count: await resealColumn(dataSource, column) });
    }
    return report;
  } finally {
    await dataSource.destroy();
  }
}

main()
  .then((report) => {
    for (const { label, count } of report) {
      console.log(
        `keys:rotate: ${count.total} ${label}: ${count.resealed} re-encrypted, ` +
          `${count.alreadyCurrent} already under the current key, ${count.failed} failed`,
      );
    }
    process.exit(report.some(({ count }) => count.failed > 0) ? 1 : 0);
  })
  .catch((error: Error) => {
    console.error(`keys:rotate: ${error.message}`);
    process.exit(1);
  });
