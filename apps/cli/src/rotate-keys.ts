import { loadConfigOrExit, loadKeyRotationConfig } from '@agentq/config';
import { CredentialCipher } from '@agentq/crypto';
import { createDataSource } from '@agentq/database';

interface RotationReport {
  credentials: number;
  resealed: number;
  alreadyCurrent: number;
  failed: number;
}

/**
 * `npm run keys:rotate`: re-encrypts every provider credential under AGENTQ_MASTER_KEY.
 * Run it after moving the old key into AGENTQ_PREVIOUS_MASTER_KEYS; once it reports
 * failed=0, the old key can be retired.
 */
async function main(): Promise<RotationReport> {
  const config = loadConfigOrExit(process.env, loadKeyRotationConfig);
  const cipher = new CredentialCipher(config.masterKeys);
  // Every tenant's credentials: the BYPASSRLS maintenance role (the schema owner is itself
  // subject to FORCE ROW LEVEL SECURITY, so it would see no rows unless it is a superuser).
  const dataSource = createDataSource({
    url: config.databaseUrl,
    applicationName: 'agentq-keys-rotate',
    role: config.maintenanceRole,
  });
  await dataSource.initialize();
  const report: RotationReport = { credentials: 0, resealed: 0, alreadyCurrent: 0, failed: 0 };
  try {
    const rows: { id: string; tenant_id: string; api_key_ciphertext: string }[] =
      await dataSource.query(
        `SELECT id, tenant_id, api_key_ciphertext FROM llm_providers WHERE api_key_ciphertext IS NOT NULL`,
      );
    for (const row of rows) {
      report.credentials += 1;
      try {
        if (!cipher.isSealedWithOlderKey(row.api_key_ciphertext)) {
          report.alreadyCurrent += 1;
          continue;
        }
        const resealed = cipher.reseal(row.api_key_ciphertext, {
          tenantId: row.tenant_id,
          providerId: row.id,
        });
        // Compare-and-set: a credential changed meanwhile through the API is left as it is now.
        const [, changed] = await dataSource.query(
          `UPDATE llm_providers SET api_key_ciphertext = $3 WHERE id = $1 AND api_key_ciphertext = $2`,
          [row.id, row.api_key_ciphertext, resealed],
        );
        if (changed === 1) report.resealed += 1;
        else report.alreadyCurrent += 1;
      } catch (error) {
        report.failed += 1;
        console.error(`keys:rotate: provider ${row.id}: ${(error as Error).message}`);
      }
    }
  } finally {
    await dataSource.destroy();
  }
  return report;
}

main()
  .then((report) => {
    console.log(
      `keys:rotate: ${report.credentials} credential(s): ${report.resealed} re-encrypted, ` +
        `${report.alreadyCurrent} already under the current key, ${report.failed} failed`,
    );
    process.exit(report.failed > 0 ? 1 : 0);
  })
  .catch((error: Error) => {
    console.error(`keys:rotate: ${error.message}`);
    process.exit(1);
  });
