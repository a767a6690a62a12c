import { FaultFixture, startFaultFixture } from './support/fault-fixture';
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

describe('fault: SIGTERM to a worker mid-run', () => {
  let fixture: FaultFixture;

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: 300 });
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
  }, 60_000);

  it('rolling deploy: each worker drains and exits 0; 0 stalled, 0 lost, 0 re-executed', async () => {
    const { stack, dataSource } = fixture;
    const total = FULL_SCALE ? 3_000 : 1_000;
    for (let i = 0; i < 3; i += 1) await stack.startWorker({ WORKER_CONCURRENCY: '30' });
    const stalledBefore = fixture.stalled.count;

    const accepted = await stack.submit(total, { tag: 'rolling' });
    const ids = accepted.map((execution) => execution.id);
    const drains: number[] = [];
    // Replace every worker, one at a time, while the backlog is being worked through.
    for (const worker of [...stack.liveWorkers()]) {
      await waitUntil(
        async () => (await countTerminal(dataSource, ids)) >= total * (drains.length + 1) * 0.15,
        'progress before the next restart',
        120_000,
      );
      const signalledAt = Date.now();
      worker.signal('SIGTERM');
      const exit = await worker.exited;
      drains.push(Date.now() - signalledAt);
      expect({ worker: worker.name, ...exit }).toEqual({
        worker: worker.name,
        code: 0,
        signal: null,
      });
      expect(worker.output()).toContain('worker stopped');
      await stack.startWorker({ WORKER_CONCURRENCY: '30' });
    }
    await waitForAllTerminal(dataSource, ids, 180_000);

    const figures = await collectFigures(dataSource, fixture.fake, accepted);
    const stalled = fixture.stalled.count - stalledBefore;
    reportFigures('SIGTERM rolling restart of 3 workers', figures, {
      stalled,
      exitCodes: '0,0,0',
      recovery: `${seconds(Math.max(...drains))} (longest drain)`,
    });
    expectLedgerExact(figures);
    expect({ stalled, reexecuted: figures.reexecuted }).toEqual({ stalled: 0, reexecuted: 0 });
    expect(figures.byStatus).toEqual({ succeeded: total });
  }, 600_000);

  it('past the grace period, running calls are handed back: exit 0, 0 stalled, 0 lost', async () => {
    const { stack, dataSource, fake } = fixture;
    const stalledBefore = fixture.stalled.count;
    fake.when((request) => request.prompt.includes('⟦slow-'), {
      kind: 'delay',
      ms: 4_000,
      then: { kind: 'reply', text: 'slow ok', promptTokens: 100, completionTokens: 20 },
    });
    const graceMs = 1_000;
    const hurried = await stack.startWorker({
      WORKER_CONCURRENCY: '20',
      WORKER_SHUTDOWN_GRACE_MS: String(graceMs),
    });
    const accepted: Submitted[] = await stack.submit(FULL_SCALE ? 300 : 100, { tag: 'slow' });
    const ids = accepted.map((execution) => execution.id);
    await waitUntil(
      async () => {
        const [{ n }] = await dataSource.query(
          `SELECT count(*)::int AS n FROM agent_executions WHERE status = 'running' AND worker_id LIKE $1`,
          [`%:${hurried.pid}:%`],
        );
        return n >= 10;
      },
      'the hurried worker to be busy',
      60_000,
    );
    const signalledAt = Date.now();
    hurried.signal('SIGTERM');
    const exit = await hurried.exited;
    const stopMs = Date.now() - signalledAt;
    expect(exit).toEqual({ code: 0, signal: null });
    const handedBack = Number(/handing (\d+) running/.exec(hurried.output())?.[1] ?? 0);
    expect(handedBack).toBeGreaterThan(0);
    await waitForAllTerminal(dataSource, ids, 180_000);

    const figures = await collectFigures(dataSource, fake, accepted);
    const stalled = fixture.stalled.count - stalledBefore;
    reportFigures('SIGTERM with jobs longer than the grace period', figures, {
      handedBack,
      stalled,
      recovery: `${seconds(stopMs)} (SIGTERM to exit, grace ${seconds(graceMs)})`,
    });
    expectLedgerExact(figures);
    expect(stalled).toBe(0);
    // Interrupted calls are made again elsewhere, and only those.
    expect(figures.reexecuted).toBeLessThanOrEqual(handedBack);
    expect(stopMs).toBeLessThan(graceMs + 5_000);
  }, 600_000);
});
