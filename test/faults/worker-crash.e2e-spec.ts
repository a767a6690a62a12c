import { startFaultFixture, FaultFixture } from './support/fault-fixture';
import { Submitted, waitUntil } from './support/fault-stack';
import {
  collectFigures,
  countTerminal,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  seconds,
  waitForAllTerminal,
} from './support/ledger';

// Executions a worker had claimed (`running`, its WORKER_ID host:pid:…) when it died.
async function runningOn(fixture: FaultFixture, pid: number): Promise<string[]> {
  const rows: { id: string }[] = await fixture.dataSource.query(
    `SELECT id FROM agent_executions WHERE status = 'running' AND worker_id LIKE $1`,
    [`%:${pid}:%`],
  );
  return rows.map((row) => row.id);
}

describe('fault: kill -9 one of three workers while ≥ 1,000 jobs are in flight', () => {
  let fixture: FaultFixture;

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: 100 });
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
  }, 60_000);

  it('every round: nothing lost, nothing ended twice, rollups exact', async () => {
    const { stack, dataSource } = fixture;
    const rounds = FULL_SCALE ? 4 : 2;
    const perRound = FULL_SCALE ? 3_000 : 1_500;
    for (let i = 0; i < 3; i += 1) await stack.startWorker({ WORKER_CONCURRENCY: '50' });

    const accepted: Submitted[] = [];
    const recoveries: number[] = [];
    let minInFlight = Infinity;
    let orphaned = 0;
    for (let round = 0; round < rounds; round += 1) {
      const batch = await stack.submit(perRound, { tag: `kill${round}` });
      accepted.push(...batch);
      const ids = accepted.map((execution) => execution.id);
      const batchIds = batch.map((execution) => execution.id);
      await waitUntil(
        async () => (await countTerminal(dataSource, batchIds)) >= perRound * 0.05,
        'the round to be under way',
        60_000,
      );
      const inFlight = ids.length - (await countTerminal(dataSource, ids));
      minInFlight = Math.min(minInFlight, inFlight);

      const live = stack.liveWorkers();
      const victim = live[round % live.length];
      victim.signal('SIGKILL');
      const killedAt = Date.now();
      await victim.exited;
      const orphans = await runningOn(fixture, victim.pid);
      orphaned += orphans.length;
      await stack.startWorker({ WORKER_CONCURRENCY: '50' });
      await waitForAllTerminal(dataSource, orphans, 120_000);
      recoveries.push(Date.now() - killedAt);
    }
    await waitForAllTerminal(
      dataSource,
      accepted.map((execution) => execution.id),
      180_000,
    );

    const figures = await collectFigures(dataSource, fixture.fake, accepted);
    reportFigures(`kill -9 one of 3 workers x${rounds}`, figures, {
      inFlightAtKill: minInFlight,
      orphaned,
      stalled: fixture.stalled.count,
      recovery: seconds(Math.max(...recoveries)),
    });
    expect(minInFlight).toBeGreaterThanOrEqual(1_000);
    expectLedgerExact(figures);
    expect(figures.byStatus).toEqual({ succeeded: accepted.length });
  }, 600_000);
});
