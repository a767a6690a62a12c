import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { Submitted, waitUntil } from './support/fault-stack';
import {
  collectFigures,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  waitForAllTerminal,
} from './support/ledger';
import { PrivateRedis } from './support/private-redis';
import { ChildHandle, sleep } from './support/processes';

// An agent's maxConcurrency against the faults that break leases: a worker stopped (SIGSTOP) or
// its event loop blocked (a busy loop injected mid-call) for longer than its job lock, so that
// its job is taken over while its provider call is still open; and Redis restarted empty, which
// drops every lease. The fake provider counts the calls it holds at once (docs/dispatch.md,
// "What holds under faults").
const LOCK_MS = 1_000;
const WORKER_ENV = {
  WORKER_LOCK_DURATION_MS: String(LOCK_MS),
  WORKER_STALLED_INTERVAL_MS: '500',
  WORKER_CONCURRENCY: '4',
};
// Longer than the job lock, shorter than the slot's lease (4 lock durations).
const STALL_MS = LOCK_MS * 2.5;
const CALL_MS = STALL_MS + 1_500;
const STALLS = FULL_SCALE ? 6 : 1;
const LIMIT = FULL_SCALE ? 2 : 1;

async function holderOf(fixture: FaultFixture, marker: string): Promise<ChildHandle> {
  const [row] = await fixture.dataSource.query(
    `SELECT worker_id FROM agent_executions WHERE input->>'message' LIKE $1`,
    [`%⟦${marker}⟧%`],
  );
  const pid = Number(String(row?.worker_id).split(':')[1]);
  const holder = fixture.stack.workers.find((worker) => worker.running && worker.pid === pid);
  if (!holder) throw new Error(`no live worker runs ${marker} (worker_id ${row?.worker_id})`);
  return holder;
}

const markerOf = (prompt: string) => /⟦([^⟧]+)⟧/.exec(prompt)?.[1] ?? '';

describe('fault: maxConcurrency when a worker stalls past its job lock', () => {
  let fixture: FaultFixture;

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: CALL_MS });
    await fixture.stack.patchAgent({ maxConcurrency: LIMIT });
  }, 120_000);

  afterEach(async () => {
    await Promise.all(fixture.stack.liveWorkers().map((worker) => worker.stop()));
    fixture.fake.clear();
    fixture.fake.setDefault({ kind: 'delay', ms: CALL_MS, then: { kind: 'reply', text: 'ok' } });
  }, 60_000);

  afterAll(async () => {
    await fixture?.teardown();
  }, 60_000);

  const run = async (
    tag: string,
    stall: (request: number) => Promise<void>,
    stallsMade: () => number = () => STALLS,
  ) => {
    const accepted: Submitted[] = await fixture.stack.submit(LIMIT + STALLS, { tag });
    for (let i = 0; i < STALLS; i += 1) await stall(i);
    await waitForAllTerminal(
      fixture.dataSource,
      accepted.map((execution) => execution.id),
      90_000,
    );
    const figures = await collectFigures(fixture.dataSource, fixture.fake, accepted);
    reportFigures(`maxConcurrency ${LIMIT} under ${tag}`, figures, {
      peakInFlight: fixture.fake.peakInFlight,
      stalls: stallsMade(),
    });
    expect({ peakInFlight: fixture.fake.peakInFlight, reexecuted: figures.reexecuted }).toEqual({
      peakInFlight: LIMIT,
      reexecuted: 0,
    });
    expect(figures.byStatus).toEqual({ succeeded: accepted.length });
    expectLedgerExact(figures);
  };

  it('SIGSTOP mid-call for 2.5 lock durations: the peak in flight stays at the limit, each execution is sent once', async () => {
    await Promise.all([1, 2].map(() => fixture.stack.startWorker(WORKER_ENV)));
    await run('sigstop', async (i) => {
      await fixture.fake.waitForRequests(i + 1);
      const holder = await holderOf(fixture, markerOf(fixture.fake.requests[i].prompt));
      holder.signal('SIGSTOP');
      await sleep(STALL_MS);
      holder.signal('SIGCONT');
      // Time to renew its leases: two stops back to back would be one stall longer than a lease.
      await sleep(LOCK_MS);
    });
  }, 180_000);

  it('SIGSTOP for longer than the lease (5 lock durations): at most one call over the limit, abandoned as soon as the worker resumes', async () => {
    const { stack, fake } = fixture;
    fake.when(
      (r) => r.prompt.includes('long-stop'),
      { kind: 'delay', ms: 5 * LOCK_MS + 3_000 },
      { times: 1 },
    );
    await Promise.all([1, 2].map(() => stack.startWorker(WORKER_ENV)));
    const accepted = await stack.submit(LIMIT, { tag: 'long-stop' });
    await fake.waitForRequests(1);
    const marker = markerOf(fake.requests[0].prompt);
    const holder = await holderOf(fixture, marker);
    holder.signal('SIGSTOP');
    await sleep(5 * LOCK_MS);
    holder.signal('SIGCONT');
    const resumedAt = Date.now();
    await waitUntil(async () => abandonedCalls(fixture, marker) > 0, 'the stalled call', 5_000);
    const abandonedAfterMs = Date.now() - resumedAt;
    await waitForAllTerminal(
      fixture.dataSource,
      accepted.map((execution) => execution.id),
      60_000,
    );
    const figures = await collectFigures(fixture.dataSource, fake, accepted, (m) =>
      m === marker ? 2 : 1,
    );
    reportFigures(`maxConcurrency ${LIMIT}, a worker stopped longer than its lease`, figures, {
      peakInFlight: fake.peakInFlight,
      abandonedAfterMs,
    });
    expect(fake.peakInFlight).toBeLessThanOrEqual(LIMIT + 1);
    expect(figures.byStatus).toEqual({ succeeded: accepted.length });
    expectLedgerExact(figures);
  }, 120_000);

  it('an event loop blocked mid-call for 2.5 lock durations: the same', async () => {
    const stalling = { ...WORKER_ENV, AGENTQ_FAULT_INJECTION: 'stall-during-provider-call' };
    await Promise.all([1, 2].map(() => fixture.stack.startWorker(stalling)));
    // Each worker stalls during its own first call.
    await run(
      'busy-loop',
      async (i) => {
        if (i === 0) await waitUntil(async () => stallsLogged(fixture) >= 1, 'a stall', 30_000);
      },
      () => stallsLogged(fixture),
    );
    expect(stallsLogged(fixture)).toBeGreaterThanOrEqual(1);
  }, 180_000);
});

const stallsLogged = (fixture: FaultFixture) =>
  fixture.stack.workers.filter((worker) => /fault injection: stalling/.test(worker.tail(100_000)))
    .length;

describe('fault: maxConcurrency when Redis restarts empty', () => {
  let redis: PrivateRedis;
  let fixture: FaultFixture;

  beforeAll(async () => {
    redis = new PrivateRedis();
    await redis.start();
    fixture = await startFaultFixture({ redisUrl: redis.url, replyDelayMs: 5_000 });
    await fixture.stack.patchAgent({ maxConcurrency: 2 });
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
    await redis?.stop();
  }, 60_000);

  it('the calls that held the lost leases are abandoned within a renewal interval of Redis answering again: at most 2 × the limit in flight meanwhile', async () => {
    const { stack, fake } = fixture;
    await stack.startWorker(WORKER_ENV);
    const before = await stack.submit(2, { tag: 'before-loss' });
    await fake.waitForRequests(2);

    await redis.kill();
    redis.wipeData();
    await redis.start();
    const upAt = Date.now();
    let after: Submitted[] = [];
    // The API answers 503 until it has reconnected.
    await waitUntil(
      async () => (after = await stack.submit(2, { tag: 'after-loss' })).length === 2,
      'a submission after the restart',
      15_000,
      250,
    );
    await waitUntil(
      async () => before.every((execution) => abandonedCalls(fixture, execution.marker) > 0),
      'the calls of the lost leases to be abandoned',
      // One renewal interval (a third of the lock) plus the workers' reconnection.
      LOCK_MS + 3_000,
    );
    const abandonedWithinMs = Date.now() - upAt;

    const all = [...before, ...after];
    await waitForAllTerminal(
      fixture.dataSource,
      all.map((execution) => execution.id),
      90_000,
    );
    const figures = await collectFigures(fixture.dataSource, fake, all, (marker) =>
      marker.startsWith('before') ? 2 : 1,
    );
    reportFigures('maxConcurrency 2 across Redis restarted empty', figures, {
      peakInFlight: fake.peakInFlight,
      abandonedWithinMs,
    });
    expect(fake.peakInFlight).toBeLessThanOrEqual(4);
    expect(figures.byStatus).toEqual({ succeeded: all.length });
    expectLedgerExact(figures);
  }, 180_000);
});

const abandonedCalls = (fixture: FaultFixture, marker: string) =>
  fixture.fake.abandoned.filter((request) => markerOf(request.prompt) === marker).length;
