import { channels, executionJob, QUEUES } from '@agentq/jobs';
import { QueueEvents } from 'bullmq';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { BenchEnvironment, sleep } from '../bench-environment';
import { latencyStages } from '../latency-stages';
import { HttpLoadClient, OpenLoopSubmission, runOpenLoop } from '../load';
import { ratio, RunRecord, ScenarioDefinition } from '../scenario';
import { percentile } from '../stats';

const MAX_IN_FLIGHT = 2_000;
const SETTLE_TIMEOUT_MS = 120_000;
const TERMINAL_EVENT = /"type":"(succeeded|failed|cancelled)"/;
const SUBMISSION = {
  input: { message: 'Ticket: the export to CSV times out for large projects.' },
};

type Measured = Omit<RunRecord, 'run'>;

// Issue #11's targets at the rates it names.
const LIVE_TARGETS: Record<
  number,
  {
    p99Ratio?: { atMost: number; text: string };
    achievedRatio?: { atLeast: number; text: string };
  }
> = {
  500: {
    p99Ratio: { atMost: 5, text: '<= 5 (#11)' },
    achievedRatio: { atLeast: 0.99, text: '>= 0.99 (#11)' },
  },
  2_000: { achievedRatio: { atLeast: 0.75, text: '>= 0.75 (#11)' } },
};

/**
 * Live end to end at a fixed offered rate: agentq through its HTTP API with a worker running,
 * beside raw BullMQ add→completed at the same rate.
 */
export function liveScenario(environment: BenchEnvironment, rate: number): ScenarioDefinition {
  const { concurrency, liveSeconds } = environment.config;
  return {
    id: `live-${rate}`,
    title: `Live at ${rate}/s offered for ${liveSeconds} s: 1 API + 1 worker process (concurrency ${concurrency}); latency submit→terminal`,
    metrics: [
      { key: 'achievedPerSecond', label: 'achieved/s' },
      { key: 'refusedPercent', label: 'REFUSED %', digits: 1 },
      { key: 'p50Ms', label: 'p50 ms', digits: 1 },
      { key: 'p95Ms', label: 'p95 ms', digits: 1 },
      { key: 'p99Ms', label: 'p99 ms', digits: 1 },
      { key: 'p99FinishedMs', label: 'p99 ms of finished only', digits: 1 },
    ],
    variants: [
      {
        name: 'agentq',
        label: 'agentq: POST /v1/agents/:id/executions → terminal',
        measure: (run) => liveAgentq(environment, rate, run),
      },
      {
        name: 'raw',
        label: 'raw BullMQ: queue.add → completed',
        measure: (run) => liveRaw(environment, rate, run),
      },
    ],
    ratios: (median) => {
      const target = LIVE_TARGETS[rate];
      return [
        ratio(
          'agentq / raw p99 latency',
          median('agentq', 'p99Ms') / median('raw', 'p99Ms'),
          target?.p99Ratio,
        ),
        ratio(
          'agentq / raw achieved rate',
          median('agentq', 'achievedPerSecond') / median('raw', 'achievedPerSecond'),
          target?.achievedRatio,
        ),
      ];
    },
  };
}

async function liveAgentq(environment: BenchEnvironment, rate: number, runIndex: number) {
  const run = await environment.newRun(`live-${rate}-agentq-${runIndex}`);
  const subscriber = new Redis(environment.config.redisUrl, { maxRetriesPerRequest: null });
  try {
    const agent = await run.seedAgent(0);
    const api = await run.startApi();
    const workers = await run.startWorkers(1, { concurrency: environment.config.concurrency });
    const terminalAt = new Map<string, number>();
    subscriber.on('message', (_channel: string, message: string) => {
      if (!TERMINAL_EVENT.test(message)) return;
      terminalAt.set(
        (JSON.parse(message) as { executionId: string }).executionId,
        performance.now(),
      );
    });
    await subscriber.subscribe(channels.executionEvents(run.prefix));
    const client = new HttpLoadClient(api.url, agent.apiKey, MAX_IN_FLIGHT);
    const path = `/v1/agents/${agent.agentId}/executions`;
    const load = await runOpenLoop({
      rate,
      warmupSeconds: environment.config.liveWarmupSeconds,
      seconds: environment.config.liveSeconds,
      maxInFlight: MAX_IN_FLIGHT,
      send: async () => {
        const answer = await client.post(path, SUBMISSION);
        if (answer.status !== 202)
          throw new Error(`HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
        return (JSON.parse(answer.body) as { id: string }).id;
      },
    });
    client.close();
    const result = await settle(load.submissions, load.dropped, terminalAt, [
      api.process,
      ...workers.map((w) => w.process),
    ]);
    const stages = await latencyStages(run.dataSource, load.submissions, terminalAt);
    return {
      ...result,
      details: { ...result.details, stages },
      accounting: await run.accounting(),
    };
  } finally {
    subscriber.disconnect();
    await run.close();
  }
}

async function liveRaw(environment: BenchEnvironment, rate: number, runIndex: number) {
  const run = await environment.newRun(`live-${rate}-raw-${runIndex}`);
  const events = new QueueEvents(QUEUES.executions, {
    connection: { url: environment.config.redisUrl },
    prefix: run.prefix,
  });
  try {
    const worker = await run.startBaseline('raw', {
      WORKER_CONCURRENCY: String(environment.config.concurrency),
    });
    const terminalAt = new Map<string, number>();
    events.on('completed', ({ jobId }) => terminalAt.set(jobId, performance.now()));
    await events.waitUntilReady();
    await sleep(250); // QueueEvents reads from "now" once its first XREAD is in
    const tenantId = randomUUID();
    const load = await runOpenLoop({
      rate,
      warmupSeconds: environment.config.liveWarmupSeconds,
      seconds: environment.config.liveSeconds,
      maxInFlight: MAX_IN_FLIGHT,
      send: async () => {
        const executionId = randomUUID();
        const job = executionJob({
          executionId,
          tenantId,
          priority: 5,
          delayMs: 0,
          maxAttempts: 3,
        });
        await run.queue.add(job.name, job.data, job.opts);
        return executionId;
      },
    });
    return await settle(load.submissions, load.dropped, terminalAt, [worker]);
  } finally {
    await events.close();
    await run.close();
  }
}

// Waits for every accepted submission to end, then computes the latency figures.
async function settle(
  submissions: OpenLoopSubmission[],
  dropped: number,
  terminalAt: Map<string, number>,
  processes: { running: boolean; name: string; output(): string }[],
): Promise<Measured> {
  const accepted = submissions.filter((s) => s.id !== null);
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  while (accepted.some((s) => !terminalAt.has(s.id!)) && performance.now() < deadline) {
    const dead = processes.find((p) => !p.running);
    if (dead) throw new Error(`${dead.name} exited during the run\n${dead.output()}`);
    await sleep(100);
  }
  const measured = accepted.filter((s) => s.measured);
  const finished = measured.filter((s) => terminalAt.has(s.id!));
  const latencies = finished.map((s) => terminalAt.get(s.id!)! - s.scheduledAt);
  const firstDue = Math.min(...measured.map((s) => s.scheduledAt));
  const lastEnd = Math.max(...finished.map((s) => terminalAt.get(s.id!)!));
  const offered = submissions.filter((s) => s.measured);
  const refused = offered.filter((s) => s.error);
  const unfinished = measured.length - finished.length;
  // Percentiles over everything offered: a refused or shed submission is a failure, an
  // infinite latency, so a system that sheds load cannot look fast by answering only some.
  const offeredLatencies = [...latencies, ...refused.map(() => Number.POSITIVE_INFINITY)];
  return {
    values: {
      achievedPerSecond: finished.length / ((lastEnd - firstDue) / 1_000),
      refusedPercent: offered.length > 0 ? (100 * refused.length) / offered.length : 0,
      p50Ms: percentile(offeredLatencies, 50),
      p95Ms: percentile(offeredLatencies, 95),
      p99Ms: percentile(offeredLatencies, 99),
      p99FinishedMs: percentile(latencies, 99),
      maxMs: percentile(offeredLatencies, 100),
      refused: refused.length,
    },
    details: {
      offered: offered.length,
      finished: finished.length,
      refused: refused.length,
      droppedByClient: dropped,
      firstRefusal: refused[0]?.error,
    },
    // Work that was accepted and never ended would be a lost execution: that fails the run.
    error:
      unfinished > 0
        ? `${unfinished} accepted execution(s) did not end within ${SETTLE_TIMEOUT_MS / 1_000} s`
        : undefined,
  };
}
