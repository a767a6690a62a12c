import { executionJob } from '@agentq/jobs';
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { BenchEnvironment } from '../bench-environment';
import { HttpLoadClient, runClosedLoop } from '../load';
import { ratio, RunRecord, ScenarioDefinition } from '../scenario';

const SUBMISSION = {
  input: { message: 'Ticket: the export to CSV times out for large projects.' },
};

type Measured = Omit<RunRecord, 'run'>;

/**
 * HTTP submission: closed-loop clients against the API (no worker running, so this is the
 * submission path alone: validate, insert, enqueue) vs the same number of concurrent
 * queue.add / addBulk calls straight to Redis.
 */
export function httpScenario(environment: BenchEnvironment): ScenarioDefinition {
  const { httpClients, httpSeconds, httpBatchSize } = environment.config;
  return {
    id: 'http',
    title: `HTTP submission: ${httpClients} concurrent clients for ${httpSeconds} s (batch: ${httpBatchSize} per call); no worker`,
    metrics: [
      { key: 'requestsPerSecond', label: 'calls/s' },
      { key: 'executionsPerSecond', label: 'executions/s' },
      { key: 'apiCpuMsPerExecution', label: 'API CPU ms/exec', digits: 3 },
      { key: 'p99Ms', label: 'p99 ms (autocannon)', digits: 1 },
    ],
    variants: [
      {
        name: 'agentq',
        label: 'agentq POST /v1/agents/:id/executions',
        measure: (run) => httpAgentq(environment, run, 1),
      },
      {
        name: 'agentq-autocannon',
        label: 'agentq POST /v1/agents/:id/executions, autocannon',
        measure: (run) => httpAutocannon(environment, run),
      },
      {
        name: 'raw',
        label: 'raw queue.add',
        measure: (run) => rawAdd(environment, run, 1),
      },
      {
        name: 'agentq-batch',
        label: `agentq POST .../executions/batch (${httpBatchSize})`,
        measure: (run) => httpAgentq(environment, run, httpBatchSize),
      },
      {
        name: 'raw-bulk',
        label: `raw queue.addBulk (${httpBatchSize})`,
        measure: (run) => rawAdd(environment, run, httpBatchSize),
      },
    ],
    ratios: (median) => [
      ratio(
        'agentq / raw queue.add (executions/s)',
        median('agentq', 'executionsPerSecond') / median('raw', 'executionsPerSecond'),
        { atLeast: 0.15, text: '>= 0.15 (#11)' },
      ),
      ratio(
        'agentq by autocannon / raw queue.add (executions/s)',
        median('agentq-autocannon', 'executionsPerSecond') / median('raw', 'executionsPerSecond'),
        { atLeast: 0.15, text: '>= 0.15 (#33)' },
      ),
      ratio(
        'agentq batch / raw addBulk (executions/s)',
        median('agentq-batch', 'executionsPerSecond') / median('raw-bulk', 'executionsPerSecond'),
        { atLeast: 0.5, text: '>= 0.50 (#11)' },
      ),
    ],
  };
}

async function httpAgentq(
  environment: BenchEnvironment,
  runIndex: number,
  batchSize: number,
): Promise<Measured> {
  const run = await environment.newRun(`http-agentq-${batchSize}-${runIndex}`);
  try {
    const agent = await run.seedAgent(0);
    const api = await run.startApi();
    const client = new HttpLoadClient(api.url, agent.apiKey, environment.config.httpClients);
    const single = batchSize === 1;
    const path = `/v1/agents/${agent.agentId}/executions${single ? '' : '/batch'}`;
    const body = single
      ? SUBMISSION
      : { executions: Array.from({ length: batchSize }, () => SUBMISSION) };
    const cpu = run.processCpu([api.process]);
    await cpu.begin();
    const result = await runClosedLoop({
      clients: environment.config.httpClients,
      warmupSeconds: environment.config.liveWarmupSeconds,
      seconds: environment.config.httpSeconds,
      operation: async () => {
        const answer = await client.post(path, body);
        return answer.status === 202 || `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
      },
    });
    const apiCpuSeconds = await cpu.end();
    client.close();
    return {
      values: {
        requestsPerSecond: result.perSecond,
        executionsPerSecond: result.perSecond * batchSize,
        ...(apiCpuSeconds === null
          ? {}
          : { apiCpuMsPerExecution: (apiCpuSeconds * 1_000) / (result.totalOps * batchSize) }),
      },
      details: { errors: result.errors, firstError: result.firstError },
      accounting: await run.accounting(),
      error:
        result.errors > 0 ? `${result.errors} request(s) failed: ${result.firstError}` : undefined,
    };
  } finally {
    await run.close();
  }
}

/**
 * The same single submissions driven by autocannon, the load generator users reach for: its
 * own HTTP client, the same number of connections, warm-up and window.
 */
async function httpAutocannon(environment: BenchEnvironment, runIndex: number): Promise<Measured> {
  const run = await environment.newRun(`http-autocannon-${runIndex}`);
  try {
    const agent = await run.seedAgent(0);
    const api = await run.startApi();
    const { httpClients, httpSeconds, liveWarmupSeconds } = environment.config;
    const options = {
      url: `${api.url}/v1/agents/${agent.agentId}/executions`,
      connections: httpClients,
      method: 'POST' as const,
      headers: { authorization: `Bearer ${agent.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(SUBMISSION),
    };
    if (liveWarmupSeconds > 0) {
      await autocannon({ ...options, duration: liveWarmupSeconds });
    }
    const cpu = run.processCpu([api.process]);
    await cpu.begin();
    const result = await autocannon({ ...options, duration: httpSeconds });
    const apiCpuSeconds = await cpu.end();
    const accepted = result['2xx'];
    const failed = result.non2xx + result.errors + result.timeouts;
    return {
      values: {
        requestsPerSecond: accepted / result.duration,
        executionsPerSecond: accepted / result.duration,
        p99Ms: result.latency.p99,
        ...(apiCpuSeconds === null || accepted === 0
          ? {}
          : { apiCpuMsPerExecution: (apiCpuSeconds * 1_000) / accepted }),
      },
      details: { accepted, failed, latency: result.latency },
      accounting: await run.accounting(),
      error: failed > 0 ? `${failed} request(s) failed or answered other than 2xx` : undefined,
    };
  } finally {
    await run.close();
  }
}

async function rawAdd(
  environment: BenchEnvironment,
  runIndex: number,
  batchSize: number,
): Promise<Measured> {
  const run = await environment.newRun(`http-raw-${batchSize}-${runIndex}`);
  try {
    const tenantId = randomUUID();
    const job = () =>
      executionJob({
        executionId: randomUUID(),
        tenantId,
        priority: 5,
        delayMs: 0,
        maxAttempts: 3,
      });
    const result = await runClosedLoop({
      clients: environment.config.httpClients,
      warmupSeconds: environment.config.liveWarmupSeconds,
      seconds: environment.config.httpSeconds,
      operation: async () => {
        if (batchSize === 1) {
          const { name, data, opts } = job();
          await run.queue.add(name, data, opts);
        } else {
          await run.queue.addBulk(Array.from({ length: batchSize }, job));
        }
        return true;
      },
    });
    return {
      values: {
        requestsPerSecond: result.perSecond,
        executionsPerSecond: result.perSecond * batchSize,
      },
      details: { errors: result.errors },
    };
  } finally {
    await run.close();
  }
}
