import { dropRunDatabases } from '../../libs/testing/src/test-database';
import { deleteRedisKeys, runKeyPrefix } from '../../libs/testing/src/test-redis';

export default async function globalTeardown(): Promise<void> {
  const runId = process.env.AGENTQ_TEST_RUN_ID;
  if (!runId) return;
  await dropRunDatabases(runId);
  await deleteRedisKeys(runKeyPrefix(runId));
}
