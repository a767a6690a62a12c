import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import {
  collectFigures,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  seconds,
  waitForAllTerminal,
} from './support/ledger';

// One worker's job locks last 1 ms (WORKER_LOCK_DURATION_MS=1), so every job it takes is seen as
// stalled and handed to another worker while it is still running it: slow provider calls make
// the two runs overlap for real. Both call the provider and both try to record an outcome.
describe('fault: forced lock loss, so jobs really run twice', () => {
  let fixture: FaultFixture;

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: 1_000 });
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
  }, 60_000);

  it('0 duplicate terminal transitions and 0 drift, whoever finishes first', async () => {
    const { stack, dataSource } = fixture;
    await stack.startWorker({
      WORKER_CONCURRENCY: '10',
      WORKER_LOCK_DURATION_MS: '1',
      WORKER_STALLED_INTERVAL_MS: '300',
    });
    for (let i = 0; i < 2; i += 1) {
      await stack.startWorker({ WORKER_CONCURRENCY: '20', WORKER_STALLED_INTERVAL_MS: '300' });
    }
    const startedAt = Date.now();
    const accepted = await stack.submit(FULL_SCALE ? 1_000 : 300, { tag: 'lockloss' });
    await waitForAllTerminal(
      dataSource,
      accepted.map((execution) => execution.id),
      240_000,
    );
    const figures = await collectFigures(dataSource, fixture.fake, accepted);
    const [{ ranTwice }] = await dataSource.query(
      `SELECT count(*)::int AS "ranTwice" FROM agent_executions
        WHERE id = ANY($1::uuid[]) AND attempts > 1`,
      [accepted.map((execution) => execution.id)],
    );
    reportFigures('forced lock loss (1 ms locks on 1 of 3 workers)', figures, {
      claimedTwice: ranTwice,
      stalled: fixture.stalled.count,
      statuses: JSON.stringify(figures.byStatus),
      recovery: `${seconds(Date.now() - startedAt)} (all ended)`,
    });
    // The point of the test: executions really did run twice, concurrently...
    expect(figures.reexecuted).toBeGreaterThan(0);
    // ...and each still ended exactly once, with exact rollups.
    expectLedgerExact(figures);
  }, 600_000);
});
