// The baseline most codebases start with: per job, one TypeORM transaction that loads the
// execution (row-locked), its agent and provider, calls the same echo provider, saves the
// execution, then loads, updates and saves the usage rows through the entity manager. It is
// correct (the locks keep the rollups exact) but pays several round trips and a commit per job,
// and the per-agent rollup row serialises every transaction.
import {
  Agent,
  AgentExecution,
  AgentUsageDaily,
  AgentUsageStats,
  createDataSource,
  LlmProvider,
} from '@agentq/database';
import { ExecutionJobData, QUEUES } from '@agentq/jobs';
import {
  buildSystemPrompt,
  createLlmAdapter,
  createProviderOutboundClient,
  LlmProviderAdapter,
  toChatMessages,
} from '@agentq/llm';
import { computeCostUsd } from '@agentq/usage';
import { Job, Worker } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { emitBenchEvent } from '../child-process';

const adapters = new Map<string, LlmProviderAdapter>();
const outbound = createProviderOutboundClient(false);

function adapterFor(provider: LlmProvider): LlmProviderAdapter {
  let adapter = adapters.get(provider.id);
  if (!adapter) {
    adapter = createLlmAdapter(
      {
        type: provider.type,
        apiKey: null,
        baseUrl: provider.baseUrl,
        settings: provider.settings,
      },
      outbound,
    );
    adapters.set(provider.id, adapter);
  }
  return adapter;
}

async function runExecution(dataSource: DataSource, executionId: string): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const execution = await manager.findOne(AgentExecution, {
      where: { id: executionId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!execution || (execution.status !== 'queued' && execution.status !== 'running')) return;
    const agent = await manager.findOneByOrFail(Agent, { id: execution.agentId });
    const provider = await manager.findOneByOrFail(LlmProvider, { id: agent.providerId });

    const startedAt = new Date();
    const clock = performance.now();
    const result = await adapterFor(provider).complete({
      model: agent.llmConfig.model,
      systemPrompt: buildSystemPrompt(agent),
      messages: toChatMessages(execution.input),
      temperature: agent.llmConfig.temperature,
      signal: AbortSignal.timeout(120_000),
    });
    const usage = { promptTokens: result.promptTokens, completionTokens: result.completionTokens };
    const { costUsd } = computeCostUsd(usage, result.model, provider.pricing);

    execution.status = 'succeeded';
    execution.attempts += 1;
    execution.output = {
      text: result.text,
      finishReason: result.finishReason,
      model: result.model,
    };
    execution.model = result.model;
    execution.promptTokens = usage.promptTokens;
    execution.completionTokens = usage.completionTokens;
    execution.costUsd = costUsd;
    execution.durationMs = Math.round(performance.now() - clock);
    execution.startedAt = startedAt;
    execution.completedAt = new Date();
    execution.workerId = 'naive';
    await manager.save(execution);
    await addToStats(manager, execution);
    await addToDaily(manager, execution);
    await addToAttribution(manager, execution);
  });
}

async function addToStats(manager: EntityManager, e: AgentExecution) {
  const stats =
    (await manager.findOne(AgentUsageStats, {
      where: { agentId: e.agentId },
      lock: { mode: 'pessimistic_write' },
    })) ??
    manager.create(AgentUsageStats, {
      agentId: e.agentId,
      tenantId: e.tenantId,
      ...zeros('totalExecutions', 'successfulExecutions', 'failedExecutions'),
      ...zeros('cancelledExecutions', 'promptTokens', 'completionTokens', 'totalTokens'),
      ...zeros('totalDurationMs', 'timedExecutions'),
      totalCostUsd: '0',
    });
  stats.totalExecutions = add(stats.totalExecutions, 1);
  stats.successfulExecutions = add(stats.successfulExecutions, 1);
  stats.promptTokens = add(stats.promptTokens, e.promptTokens);
  stats.completionTokens = add(stats.completionTokens, e.completionTokens);
  stats.totalTokens = add(stats.totalTokens, e.promptTokens + e.completionTokens);
  stats.totalCostUsd = addUsd(stats.totalCostUsd, e.costUsd);
  stats.totalDurationMs = add(stats.totalDurationMs, e.durationMs ?? 0);
  stats.timedExecutions = add(stats.timedExecutions, 1);
  stats.lastExecutedAt = e.completedAt;
  await manager.save(stats);
}

async function addToDaily(manager: EntityManager, e: AgentExecution) {
  const key = {
    agentId: e.agentId,
    day: e.completedAt!.toISOString().slice(0, 10),
    model: e.model ?? '',
  };
  const daily =
    (await manager.findOne(AgentUsageDaily, { where: key, lock: { mode: 'pessimistic_write' } })) ??
    manager.create(AgentUsageDaily, {
      ...key,
      tenantId: e.tenantId,
      ...zeros('executions', 'succeeded', 'failed', 'cancelled', 'promptTokens'),
      ...zeros('completionTokens', 'totalTokens', 'totalDurationMs', 'timedExecutions'),
      costUsd: '0',
    });
  daily.executions = add(daily.executions, 1);
  daily.succeeded = add(daily.succeeded, 1);
  daily.promptTokens = add(daily.promptTokens, e.promptTokens);
  daily.completionTokens = add(daily.completionTokens, e.completionTokens);
  daily.totalTokens = add(daily.totalTokens, e.promptTokens + e.completionTokens);
  daily.costUsd = addUsd(daily.costUsd, e.costUsd);
  daily.totalDurationMs = add(daily.totalDurationMs, e.durationMs ?? 0);
  daily.timedExecutions = add(daily.timedExecutions, 1);
  await manager.save(daily);
}

// The usage-by-who-ran-it rollup agentq writes beside the two above (one '' row per execution
// plus one per tag), as a hand-written upsert: the same durable work, so the same accounting.
async function addToAttribution(manager: EntityManager, e: AgentExecution) {
  for (const tag of ['', ...(e.tags ?? [])]) {
    await manager.query(
      `INSERT INTO usage_attribution_daily AS u (tenant_id, day, agent_id, model, api_key_id,
         end_user, tag, executions, succeeded, failed, cancelled, prompt_tokens,
         completion_tokens, cost_usd, total_duration_ms, timed_executions)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 1, 0, 0, $8, $9, $10, $11, 1)
       ON CONFLICT ON CONSTRAINT usage_attribution_daily_key DO UPDATE SET
         executions = u.executions + 1, succeeded = u.succeeded + 1,
         prompt_tokens = u.prompt_tokens + EXCLUDED.prompt_tokens,
         completion_tokens = u.completion_tokens + EXCLUDED.completion_tokens,
         cost_usd = u.cost_usd + EXCLUDED.cost_usd,
         total_duration_ms = u.total_duration_ms + EXCLUDED.total_duration_ms,
         timed_executions = u.timed_executions + 1`,
      [
        e.tenantId,
        e.completedAt!.toISOString().slice(0, 10),
        e.agentId,
        e.model ?? '',
        e.apiKeyId,
        e.endUser,
        tag,
        e.promptTokens,
        e.completionTokens,
        e.costUsd,
        e.durationMs ?? 0,
      ],
    );
  }
}

const zeros = (...names: string[]) => Object.fromEntries(names.map((name) => [name, '0']));
const add = (bigintText: string, n: number) => String(BigInt(bigintText) + BigInt(n));

// numeric(…, 9) as exact nano-dollars: a float sum would drift and fail the accounting check.
const toNano = (usd: string) => {
  const [whole, fraction = ''] = usd.split('.');
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
};
const addUsd = (a: string, b: string) => {
  const nano = toNano(a) + toNano(b);
  return `${nano / 1_000_000_000n}.${String(nano % 1_000_000_000n).padStart(9, '0')}`;
};

async function main() {
  const dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    poolSize: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    applicationName: 'agentq-bench-naive',
  });
  await dataSource.initialize();
  const expected = Number(process.env.BENCH_EXPECT ?? 0);
  const worker = new Worker<ExecutionJobData>(
    QUEUES.executions,
    async (job: Job<ExecutionJobData>) => {
      await runExecution(dataSource, job.data.executionId);
      return { outcome: 'succeeded' };
    },
    {
      connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      prefix: process.env.QUEUE_PREFIX,
      concurrency: Number(process.env.WORKER_CONCURRENCY ?? 10),
    },
  );
  let completed = 0;
  worker.on('completed', () => {
    completed += 1;
    if (completed === expected)
      emitBenchEvent({ event: 'done', completed, finishedAt: Date.now() });
  });
  worker.on('failed', (job, error) =>
    console.error(`naive worker: job ${job?.id} failed: ${error.message}`),
  );
  await worker.waitUntilReady();
  emitBenchEvent({ event: 'ready' });
  process.once(
    'SIGTERM',
    () =>
      void worker
        .close()
        .then(() => dataSource.destroy())
        .then(() => process.exit(0)),
  );
}

main().catch((error: Error) => {
  console.error(error.stack);
  process.exit(1);
});
