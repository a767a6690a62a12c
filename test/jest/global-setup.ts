import { randomBytes } from 'node:crypto';
import { createDataSource } from '../../libs/database/src/data-source';
import {
  createDatabase,
  dropDatabase,
  templateDatabaseName,
} from '../../libs/testing/src/test-database';

/** One template database per run, migrated once; each test file clones it. */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  process.env.AGENTQ_TEST_RUN_ID = runId;
  const template = templateDatabaseName(runId);
  const url = await createDatabase(template);
  const dataSource = createDataSource({ url, applicationName: 'agentq-test-setup' });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    await dropDatabase(template);
    throw error;
  }
  await dataSource.destroy();
}
