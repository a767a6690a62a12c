import { Logger } from '@nestjs/common';
import { AppConfig } from '@agentq/config';
import { ExecutionJobData, ExecutionJobResult } from '@agentq/jobs';
import { QueueWorkers } from '@agentq/redis';
import { DelayedError, Job, UnrecoverableError, WaitingError } from 'bullmq';
import { DeferralReason, DispatchDeferral } from '../dispatch/dispatch-deferral';
import { DispatchGate } from '../dispatch/dispatch-gate.service';
import { AgentExecutionProcessor } from './agent-execution.processor';
import { AttemptResult } from './attempt-result';
import { CancellationRegistry } from './cancellation-registry.service';
import { AttemptContext, ExecutionRunner } from './execution-runner.service';

// In-memory collaborators: each records what the processor asked of it.

class InMemoryRunner implements Pick<ExecutionRunner, 'run'> {
  contexts: AttemptContext[] = [];
  constructor(private readonly result: () => Promise<AttemptResult>) {}
  async run(_executionId: string, _tenantId: string, context: AttemptContext) {
    this.contexts.push(context);
    return this.result();
  }
}

class InMemoryGate implements Pick<DispatchGate, 'beforeClaim' | 'deferred' | 'finished'> {
  parkNext: DispatchDeferral | null = null;
  deferrals: { attempt: string; reason: DeferralReason }[] = [];
  finishedIds: string[] = [];
  async beforeClaim() {
    return this.parkNext;
  }
  async deferred(attempt: string, reason: DeferralReason) {
    this.deferrals.push({ attempt, reason });
  }
  async finished(executionId: string) {
    this.finishedIds.push(executionId);
  }
}

// The parts of a BullMQ job the processor uses; `moves` is where it sent the job.
class InMemoryJob {
  moves: { to: 'delayed' | 'wait'; at?: number }[] = [];
  data: ExecutionJobData;
  constructor(
    readonly attemptsMade: number,
    readonly opts: { attempts?: number; priority?: number },
  ) {
    this.data = { executionId: 'e-1', tenantId: 't-1' } as ExecutionJobData;
  }
  async moveToDelayed(timestamp: number) {
    this.moves.push({ to: 'delayed', at: timestamp });
  }
  async moveToWait() {
    this.moves.push({ to: 'wait' });
    return 0;
  }
}

function processorWith(runner: InMemoryRunner, gate = new InMemoryGate()) {
  const processor = new AgentExecutionProcessor(
    runner as unknown as ExecutionRunner,
    {} as CancellationRegistry, // used only at shutdown
    {} as QueueWorkers,
    gate as unknown as DispatchGate,
    {} as AppConfig,
  );
  const process = (job: InMemoryJob): Promise<ExecutionJobResult> =>
    processor.process(job as unknown as Job<ExecutionJobData, ExecutionJobResult>, 'token');
  return { process, gate };
}

const returning = (result: AttemptResult) => new InMemoryRunner(async () => result);

describe('AgentExecutionProcessor: what BullMQ is told about an attempt', () => {
  // The outcomes are asserted; the warnings the processor logs on the way are expected.
  beforeAll(() => Logger.overrideLogger(false));

  it('completes the job with the recorded outcome', async () => {
    const { process, gate } = processorWith(returning({ kind: 'done', outcome: 'succeeded' }));
    await expect(process(new InMemoryJob(0, { attempts: 3 }))).resolves.toEqual({
      outcome: 'succeeded',
    });
    expect(gate.finishedIds).toEqual(['e-1']);
  });

  it('tells the runner which attempt is the last one', async () => {
    const runner = returning({ kind: 'done', outcome: 'succeeded' });
    const { process } = processorWith(runner);
    await process(new InMemoryJob(0, { attempts: 3 }));
    await process(new InMemoryJob(2, { attempts: 3 }));
    await process(new InMemoryJob(0, {}));
    expect(runner.contexts).toEqual([
      { isLastAttempt: false, attempt: 'token' },
      { isLastAttempt: true, attempt: 'token' },
      { isLastAttempt: true, attempt: 'token' },
    ]);
  });

  it('rethrows a retryable error as it is, so BullMQ retries it with its Retry-After', async () => {
    const error = Object.assign(new Error('provider_rate_limited'), { retryAfterMs: 2_000 });
    const { process } = processorWith(returning({ kind: 'retry', error }));
    await expect(process(new InMemoryJob(0, { attempts: 3 }))).rejects.toBe(error);
  });

  it('fails the job without further retries when the execution failed', async () => {
    const { process } = processorWith(
      returning({ kind: 'failed', code: 'provider_rejected', message: '400 bad request' }),
    );
    const attempt = process(new InMemoryJob(0, { attempts: 3 }));
    await expect(attempt).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(attempt).rejects.toThrow('provider_rejected: 400 bad request');
  });

  it('hands an interrupted attempt back to the waiting list, using no attempt', async () => {
    const job = new InMemoryJob(1, { attempts: 3 });
    const { process } = processorWith(returning({ kind: 'interrupted' }));
    await expect(process(job)).rejects.toBeInstanceOf(WaitingError);
    expect(job.moves).toEqual([{ to: 'wait' }]);
  });

  it('delays a deferred attempt by what the gate said, using no attempt', async () => {
    const job = new InMemoryJob(0, { attempts: 3 });
    const before = Date.now();
    const { process, gate } = processorWith(
      returning({ kind: 'deferred', reason: 'concurrency', delayMs: 5_000 }),
    );
    await expect(process(job)).rejects.toBeInstanceOf(DelayedError);
    expect(job.moves).toHaveLength(1);
    expect(job.moves[0].at! - before).toBeGreaterThanOrEqual(5_000);
    expect(gate.deferrals).toEqual([{ attempt: 'token', reason: 'concurrency' }]);
  });

  it('parks a job before claiming it when the gate says wait: the runner is not called', async () => {
    const runner = returning({ kind: 'done', outcome: 'succeeded' });
    const gate = new InMemoryGate();
    gate.parkNext = new DispatchDeferral('rate_limit', 1_000);
    const job = new InMemoryJob(0, { attempts: 3 });
    const { process } = processorWith(runner, gate);
    await expect(process(job)).rejects.toBeInstanceOf(DelayedError);
    expect(runner.contexts).toEqual([]);
    expect(gate.deferrals).toEqual([{ attempt: 'token', reason: 'rate_limit' }]);
  });

  it('waits for PostgreSQL without using an attempt when the database is unreachable', async () => {
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const job = new InMemoryJob(2, { attempts: 3 });
    const { process, gate } = processorWith(new InMemoryRunner(() => Promise.reject(outage)));
    await expect(process(job)).rejects.toBeInstanceOf(DelayedError);
    expect(job.moves.map((move) => move.to)).toEqual(['delayed']);
    expect(gate.finishedIds).toEqual(['e-1']);
  });

  it('lets any other error through for BullMQ to count as a failed attempt', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const job = new InMemoryJob(0, { attempts: 3 });
    const { process } = processorWith(new InMemoryRunner(() => Promise.reject(bug)));
    await expect(process(job)).rejects.toBe(bug);
    expect(job.moves).toEqual([]);
  });
});
