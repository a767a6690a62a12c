import { QUEUES } from '@agentq/jobs';
import { Queue } from 'bullmq';
import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { Submitted, waitUntil, within } from './support/fault-stack';
import {
  collectFigures,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  seconds,
  waitForAllTerminal,
} from './support/ledger';

const CRASH_LINE = /fault injection: (\S+) for execution ([0-9a-f-]{36}); SIGKILL/;

// A worker with AGENTQ_FAULT_INJECTION (test only) kills itself with SIGKILL at one point of
// its first attempt; two healthy workers carry on. The crashed attempt's job is taken over once
// its lock expires. The injected worker runs one job at a time, so each crash hits exactly one
// execution, and it is restarted only once that execution has ended (or it would crash on the
// same one again).
describe.each([
  ['crash-after-provider', 'after the provider call, before the commit'],
  ['crash-after-commit', 'after the commit, before the acknowledgement'],
] as const)('fault: worker crash %s (%s)', (point, _where) => {
  let fixture: FaultFixture;
  let queue: Queue;

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: 100 });
    const { redisUrl, prefix } = fixture.stack.services;
    queue = new Queue(QUEUES.executions, { connection: { url: redisUrl }, prefix });
  }, 120_000);

  afterAll(async () => {
    await queue?.close();
    await fixture?.teardown();
  }, 60_000);

  it('the execution ends once, recorded once; the rollups stay exact', async () => {
    const { stack, dataSource } = fixture;
    const crashes = FULL_SCALE ? 6 : 2;
    const perRound = FULL_SCALE ? 500 : 150;
    for (let i = 0; i < 2; i += 1) await stack.startWorker({ WORKER_CONCURRENCY: '10' });

    const accepted: Submitted[] = [];
    const recoveries: number[] = [];
    const crashed: string[] = [];
    for (let round = 0; round < crashes; round += 1) {
      const injected = await stack.startWorker({
        WORKER_CONCURRENCY: '1',
        AGENTQ_FAULT_INJECTION: point,
      });
      // Work arrives once the injected worker is listening, so it gets some.
      accepted.push(...(await stack.submit(perRound, { tag: `${point}-${round}` })));
      const exit = await within(injected.exited, 60_000, 'the injected crash');
      const crashedAt = Date.now();
      expect(exit.signal).toBe('SIGKILL');
      const [, crashPoint, executionId] = CRASH_LINE.exec(injected.output()) ?? [];
      expect(crashPoint).toBe(point);
      crashed.push(executionId);
      await waitUntil(
        async () => {
          const [row] = await dataSource.query(
            `SELECT status FROM agent_executions WHERE id = $1`,
            [executionId],
          );
          const ended = ['succeeded', 'failed'].includes(row?.status);
          return ended && (await queue.getJobState(executionId)) === 'completed';
        },
        `execution ${executionId} to end and its job to complete after the crash`,
        120_000,
      );
      recoveries.push(Date.now() - crashedAt);
    }
    await waitForAllTerminal(
      dataSource,
      accepted.map((execution) => execution.id),
      180_000,
    );

    const figures = await collectFigures(dataSource, fixture.fake, accepted);
    const attempts: { attempts: number }[] = await dataSource.query(
      `SELECT attempts FROM agent_executions WHERE id = ANY($1::uuid[])`,
      [crashed],
    );
    reportFigures(`worker SIGKILLed ${point} x${crashes}`, figures, {
      crashes,
      stalled: fixture.stalled.count,
      recovery: seconds(Math.max(...recoveries)),
    });
    expectLedgerExact(figures);
    expect(figures.byStatus).toEqual({ succeeded: accepted.length });
    if (point === 'crash-after-provider') {
      // The crashed call's answer was never recorded: that execution, and only it, runs again.
      expect(figures.reexecuted).toBe(crashes);
      expect(attempts.every((row) => row.attempts === 2)).toBe(true);
    } else {
      // The outcome was committed: the redelivered job finds it ended and calls nothing.
      expect(figures.reexecuted).toBe(0);
      expect(attempts.every((row) => row.attempts === 1)).toBe(true);
    }
  }, 600_000);
});
