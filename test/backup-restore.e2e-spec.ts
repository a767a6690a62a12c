import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource } from '@agentq/database';
import {
  createEmptyTestDatabase,
  createTestQueuePrefix,
  deleteRedisKeys,
  findAccountingDrift,
  testServices,
  TestDatabase,
} from '@agentq/testing';
import { DataSource } from 'typeorm';
import { FaultFixture, startFaultFixture } from './faults/support/fault-fixture';
import { FaultStack, Submitted, waitUntil } from './faults/support/fault-stack';
import { countTerminal, waitForAllTerminal } from './faults/support/ledger';

// docs/operations.md, "Restoring": PostgreSQL is the truth and Redis can be rebuilt. A dump
// taken while executions are queued, running and finishing is restored into a fresh database;
// a worker on an empty Redis prefix must end every execution the dump holds unfinished exactly
// once (the reconciler re-enqueues them), never touch one the dump holds finished, and leave
// the rollups equal to the execution rows.

// pg_dump and pg_restore from PATH, else from the Debian layout of the local server.
function postgresTool(name: 'pg_dump' | 'pg_restore'): string | null {
  if (spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0) return name;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort().reverse() : [];
  const found = versions.map((version) => join(root, version, 'bin', name)).find(existsSync);
  return found ?? null;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  }
}

const pgDump = postgresTool('pg_dump');
const pgRestore = postgresTool('pg_restore');
const available = pgDump !== null && pgRestore !== null;
if (!available) {
  process.stdout.write(
    'backup-restore.e2e-spec: SKIPPED — pg_dump / pg_restore not found on PATH or under ' +
      '/usr/lib/postgresql/*/bin (apt-get install postgresql-client)\n',
  );
}

const TOTAL = 60;

(available ? describe : describe.skip)('restore a mid-run dump, rebuild Redis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentq-restore-'));
  let fixture: FaultFixture;
  let restored: TestDatabase | null = null;
  let restoredDb: DataSource | null = null;
  let restoredStack: FaultStack | null = null;
  const restoredPrefix = createTestQueuePrefix();

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: 300 });
  }, 120_000);

  afterAll(async () => {
    await restoredStack?.stop();
    if (restoredDb?.isInitialized) await restoredDb.destroy();
    await restored?.drop();
    await deleteRedisKeys(restoredPrefix);
    await fixture?.teardown();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('ends every unfinished execution exactly once, re-runs no finished one, rollups exact', async () => {
    const { stack, dataSource, fake } = fixture;
    await stack.startWorker({ WORKER_CONCURRENCY: '4' });
    const accepted: Submitted[] = await stack.submit(TOTAL, { tag: 'restore', timeoutMs: 2_000 });
    const ids = accepted.map((execution) => execution.id);
    await waitUntil(
      async () => (await countTerminal(dataSource, ids)) >= 8,
      'the run to be under way',
      60_000,
    );

    // The backup, taken while the worker writes: pg_dump reads one consistent snapshot.
    const databaseUrl = stack.services.databaseUrl;
    const dump = join(dir, 'agentq.dump');
    run(pgDump!, ['--format=custom', '--file', dump, '--dbname', databaseUrl]);
    // The site is lost: every process and the old Redis prefix are gone.
    await stack.stop();

    restored = await createEmptyTestDatabase();
    run(pgRestore!, ['--exit-on-error', '--dbname', restored.url, dump]);
    restoredDb = createDataSource({ url: restored.url, poolSize: 2, applicationName: 'restore' });
    await restoredDb.initialize();
    // The transition audit came along in the dump: count only what happens from here on.
    await restoredDb.query('TRUNCATE fault_terminal_transitions');
    const rows: { id: string; status: string }[] = await restoredDb.query(
      'SELECT id, status FROM agent_executions WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(rows).toHaveLength(TOTAL);
    const finished = rows.filter((row) =>
      ['succeeded', 'failed', 'cancelled'].includes(row.status),
    );
    const unfinished = rows.filter((row) => !finished.includes(row));
    expect(finished.length).toBeGreaterThan(0);
    expect(unfinished.length).toBeGreaterThan(0);
    const statusesAtDump = new Set(unfinished.map((row) => row.status));
    expect(await findAccountingDrift(restoredDb)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });

    const callsBefore = fake.requests.length;
    restoredStack = new FaultStack({
      databaseUrl: restored.url,
      redisUrl: testServices.redisUrl(),
      prefix: restoredPrefix,
    });
    await restoredStack.startWorker({ WORKER_CONCURRENCY: '8' });
    await waitForAllTerminal(
      restoredDb,
      unfinished.map((row) => row.id),
      90_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${restoredStack!.logs()}`);
    });

    const transitions: { execution_id: string; n: number }[] = await restoredDb.query(
      `SELECT execution_id, count(*)::int AS n FROM fault_terminal_transitions GROUP BY 1`,
    );
    const endedAfterRestore = new Map(transitions.map((row) => [row.execution_id, row.n]));
    expect({
      unfinishedEndedOnce: unfinished.filter((row) => endedAfterRestore.get(row.id) === 1).length,
      finishedTouched: finished.filter((row) => endedAfterRestore.has(row.id)).length,
      endedTwice: transitions.filter((row) => row.n > 1).length,
    }).toEqual({ unfinishedEndedOnce: unfinished.length, finishedTouched: 0, endedTwice: 0 });

    // The provider saw no execution again that the dump holds finished.
    const finishedMarkers = new Set(
      accepted.filter((e) => finished.some((row) => row.id === e.id)).map((e) => e.marker),
    );
    const rerun = fake.requests
      .slice(callsBefore)
      .filter((request) =>
        [...finishedMarkers].some((marker) => request.prompt.includes(`⟦${marker}⟧`)),
      );
    expect(rerun).toHaveLength(0);
    expect(await findAccountingDrift(restoredDb)).toEqual({
      lifetime: [],
      daily: [],
      attribution: [],
    });
    process.stdout.write(
      `[restore] at dump: ${finished.length} finished, ${unfinished.length} unfinished ` +
        `(${[...statusesAtDump].join(', ')}); after restore: all ended once, none re-run\n`,
    );
  }, 180_000);
});
