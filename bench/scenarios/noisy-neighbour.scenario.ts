import { assignFairPriorities, FairJobRequest } from '@agentq/jobs';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { BenchEnvironment, BenchRun, SeededAgent } from '../bench-environment';
import { HttpLoadClient } from '../load';
import { ratio, RunRecord, ScenarioDefinition } from '../scenario';
import { percentile, spread } from '../stats';

const SUBMISSION = {
  input: { message: 'Ticket: the export to CSV times out for large projects.' },
};
// Jobs per batch when timing the fair placement alone.
const COST_BATCH = 1_000;
// Tenant A's agents, each answering at its own latency, and its batch submissions: small and
// round the agents, so that the jobs in the worker's slots at any moment mix the latencies.
const FLOOD_AGENTS = 10;
const FLOOD_BATCH = 10;
const FLOOD_REQUESTS_IN_FLIGHT = 50;

type Measured = Omit<RunRecord, 'run'>;

/**
 * Noisy neighbour (#14): tenant A submits a flood at once, tenant B a few over the next seconds;
 * B's queue wait (queued → started) beside the same few on an idle system. Also what placing
 * jobs in the fair queue costs the submission path: one EVAL per batch.
 */
export function noisyNeighbourScenario(environment: BenchEnvironment): ScenarioDefinition {
  const { noisyN, noisyFew, noisySeconds, noisyLatencyMs, concurrency } = environment.config;
  return {
    id: 'noisy',
    title:
      `Noisy neighbour: tenant A submits ${noisyN} at once, tenant B ${noisyFew} over ${noisySeconds} s; ` +
      `echo ${noisyLatencyMs} ms, 1 worker process, concurrency ${concurrency}`,
    metrics: [
      { key: 'bWaitP50Ms', label: 'B wait p50 ms', digits: 1 },
      { key: 'bWaitP95Ms', label: 'B wait p95 ms', digits: 1 },
      { key: 'bTakenP95Ms', label: 'B added→taken p95 ms', digits: 1 },
      { key: 'overtakesP95', label: 'overtaken p95', digits: 0 },
      { key: 'aStartedDuringB', label: "A's started while B submitted" },
      { key: 'assignMsPerBatch', label: `fair EVAL ms/${COST_BATCH} jobs`, digits: 2 },
      { key: 'assignMsPerJob', label: 'fair EVAL ms/1 job', digits: 3 },
    ],
    variants: [
      {
        name: 'idle',
        label: `B alone (${noisyFew} over ${noisySeconds} s)`,
        measure: (run) => measureNoisy(environment, `noisy-idle-${run}`, 0),
      },
      {
        name: 'noisy',
        label: `B beside A's ${noisyN}`,
        measure: (run) => measureNoisy(environment, `noisy-flood-${run}`, noisyN),
      },
    ],
    ratios: (median) => [
      ratio(
        "B's p95 wait: beside A's flood / idle",
        median('noisy', 'bWaitP95Ms') / median('idle', 'bWaitP95Ms'),
        { atMost: 3, text: '<= 3 (#14)' },
      ),
    ],
  };
}

async function measureNoisy(
  environment: BenchEnvironment,
  label: string,
  floodN: number,
): Promise<Measured> {
  const { noisyFew, noisySeconds, noisyLatencyMs, concurrency } = environment.config;
  const run = await environment.newRun(label);
  try {
    const a = await agentsAnsweringAround(run, noisyLatencyMs);
    const b = await run.seedAgent(noisyLatencyMs);
    const api = await run.startApi();
    const [worker] = await run.startWorkers(1, { concurrency });
    const clientA = new HttpLoadClient(api.url, a[0].apiKey);
    const clientB = new HttpLoadClient(api.url, b.apiKey);
    try {
      await submitFlood(clientA, a, floodN);
      const bStartedAt = Date.now();
      await submitSpread(clientB, b, noisyFew, noisySeconds * 1_000);
      const bDoneAt = Date.now();
      await run.waitForTenantTerminal(b.tenantId, noisyFew, 60_000 + noisyFew * 1_000, [
        worker.process,
        api.process,
      ]);
      const waits = await queueWaits(run, b.tenantId);
      const overtaken = await overtakes(run, b.tenantId);
      const taken = await takenAfter(run, b.tenantId);
      const aStartedDuringB = await startedBetween(run, a[0].tenantId, bStartedAt, bDoneAt);
      const cost = await assignCost(environment, run.prefix);
      return {
        values: {
          bWaitP50Ms: percentile(waits, 50),
          bWaitP95Ms: percentile(waits, 95),
          bTakenP95Ms: percentile(taken, 95),
          overtakesP95: percentile(overtaken, 95),
          aStartedDuringB,
          ...cost,
        },
        details: {
          bWaitMs: spread(waits),
          overtakenPerBExecution: overtaken,
          startGapsMs: await startGaps(run, bStartedAt, bDoneAt),
        },
        accounting: await run.accounting(),
      };
    } finally {
      clientA.close();
      clientB.close();
    }
  } finally {
    await run.close();
  }
}

// Agents of one tenant whose providers answer in 0.5× to 1.5× `latencyMs`: LLM calls vary, and
// with one fixed latency the flood's jobs would start and end in lockstep waves, so that a
// newcomer waits for the next wave whatever the queue's order.
async function agentsAnsweringAround(run: BenchRun, latencyMs: number): Promise<SeededAgent[]> {
  const first = await run.seedAgent(latencyMs / 2);
  const agents = [first];
  for (let i = 1; i < FLOOD_AGENTS; i += 1) {
    const spread = 0.5 + i / (FLOOD_AGENTS - 1);
    agents.push(await run.seedSiblingAgent(first, Math.round(latencyMs * spread)));
  }
  return agents;
}

// `count` executions at once: small batch submissions round the agents, 50 in flight.
async function submitFlood(client: HttpLoadClient, agents: SeededAgent[], count: number) {
  let next = 0;
  const submitter = async () => {
    for (let start = next * FLOOD_BATCH; start < count; start = next * FLOOD_BATCH) {
      const agent = agents[next % agents.length];
      next += 1;
      const size = Math.min(FLOOD_BATCH, count - start);
      const body = { executions: Array.from({ length: size }, () => SUBMISSION) };
      const answer = await client.post(`/v1/agents/${agent.agentId}/executions/batch`, body);
      expectAccepted(answer, 'flood');
    }
  };
  await Promise.all(Array.from({ length: FLOOD_REQUESTS_IN_FLIGHT }, submitter));
}

// `count` single submissions, one every `spanMs / count`.
async function submitSpread(
  client: HttpLoadClient,
  agent: SeededAgent,
  count: number,
  spanMs: number,
) {
  const path = `/v1/agents/${agent.agentId}/executions`;
  const startedAt = Date.now();
  const submissions: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    const due = startedAt + (i * spanMs) / count;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    submissions.push(
      client.post(path, SUBMISSION).then((answer) => expectAccepted(answer, 'submission')),
    );
  }
  await Promise.all(submissions);
}

function expectAccepted(answer: { status: number; body: string }, what: string) {
  if (answer.status !== 202) {
    throw new Error(`${what}: HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
  }
}

async function queueWaits(run: BenchRun, tenantId: string): Promise<number[]> {
  const rows: { wait: number }[] = await run.dataSource.query(
    `SELECT (extract(epoch FROM started_at - queued_at) * 1000)::float8 AS wait
       FROM agent_executions WHERE tenant_id = $1 AND started_at IS NOT NULL`,
    [tenantId],
  );
  return rows.map((row) => row.wait);
}

// The queue's own part of B's waits: from BullMQ adding each job to a worker taking it
// (`processedOn - timestamp`), without the API's insert before and the worker's claim after.
async function takenAfter(run: BenchRun, tenantId: string): Promise<number[]> {
  const rows: { id: string }[] = await run.dataSource.query(
    `SELECT id FROM agent_executions WHERE tenant_id = $1`,
    [tenantId],
  );
  const jobs = await Promise.all(rows.map((row) => run.queue.getJob(row.id)));
  return jobs.flatMap((job) => (job?.processedOn ? [job.processedOn - job.timestamp] : []));
}

// Per B execution, how many of A's started while it waited: the queue's part of its wait (with a
// first-come queue, every one of A's ahead of it; with fair queuing, about one per round).
async function overtakes(run: BenchRun, tenantId: string): Promise<number[]> {
  const rows: { n: number }[] = await run.dataSource.query(
    `SELECT (SELECT count(*)::int FROM agent_executions o
              WHERE o.tenant_id <> b.tenant_id AND o.started_at > b.queued_at AND o.started_at < b.started_at) AS n
       FROM agent_executions b WHERE b.tenant_id = $1 ORDER BY b.queued_at`,
    [tenantId],
  );
  return rows.map((row) => row.n);
}

// Gaps between consecutive executions starting (BullMQ `processedOn`, any tenant) while B
// submitted: how long a newcomer at the head of the queue can wait for a slot.
async function startGaps(run: BenchRun, from: number, to: number) {
  const jobs = await run.queue.getJobs(['active', 'completed'], 0, -1);
  const starts = jobs
    .map((job) => job.processedOn ?? 0)
    .filter((at) => at >= from && at <= to)
    .sort((a, b) => a - b);
  const gaps = starts.slice(1).map((at, i) => at - starts[i]);
  return {
    p50: percentile(gaps, 50),
    p95: percentile(gaps, 95),
    p99: percentile(gaps, 99),
    max: percentile(gaps, 100),
  };
}

async function startedBetween(run: BenchRun, tenantId: string, from: number, to: number) {
  const [{ n }] = await run.dataSource.query(
    `SELECT count(*)::int AS n FROM agent_executions
      WHERE tenant_id = $1 AND started_at BETWEEN to_timestamp($2 / 1000.0) AND to_timestamp($3 / 1000.0)`,
    [tenantId, from, to],
  );
  return n as number;
}

// What the fair placement adds to an enqueue: the EVAL alone, on a queue of its own, for a
// batch of 1,000 jobs over 10 tenants and for a single job, each the median of 20 calls.
async function assignCost(environment: BenchEnvironment, prefix: string) {
  const queue = new Queue('bench-fair-cost', {
    connection: { url: environment.config.redisUrl },
    prefix,
  });
  try {
    const jobs = (n: number): FairJobRequest[] =>
      Array.from({ length: n }, (_, i) => ({
        jobId: randomUUID(),
        tenantId: `tenant-${i % 10}`,
        priority: 5,
        delayed: false,
        repeat: false,
      }));
    const time = async (n: number) => {
      const samples: number[] = [];
      for (let i = 0; i < 20; i += 1) {
        const startedAt = process.hrtime.bigint();
        await assignFairPriorities(queue, jobs(n));
        samples.push(Number(process.hrtime.bigint() - startedAt) / 1e6);
      }
      return spread(samples).median;
    };
    return { assignMsPerBatch: await time(COST_BATCH), assignMsPerJob: await time(1) };
  } finally {
    await queue.close();
  }
}
