// A PostgreSQL-native queue in the same run: graphile-worker on the run's database, draining
// jobs the harness added up front. BENCH_TASK=noop does nothing per job; BENCH_TASK=writes
// makes the durable writes agentq makes per execution on the same rows: the claim (running,
// its own commit) and the finish (succeeded with the answer's usage, plus the lifetime, daily
// and attribution rollups, in one transaction), so the accounting check holds. Everything else
// is graphile-worker's defaults; BENCH_GRAPHILE_BATCHED=1 turns on its documented batching
// (a local queue of `concurrency` jobs, completions batched) for its best case.
import { run, Task } from 'graphile-worker';
import { Pool } from 'pg';
import { emitBenchEvent } from '../child-process';

const FINISH = `
  WITH done AS (
    UPDATE agent_executions
       SET status = 'succeeded', output = $2, prompt_tokens = 42, completion_tokens = 17,
           cost_usd = 0.0000165, duration_ms = 0, completed_at = now()
     WHERE id = $1 AND status = 'running'
     RETURNING tenant_id, agent_id, model, api_key_id, end_user, tags, completed_at,
               prompt_tokens, completion_tokens, cost_usd, duration_ms),
  lifetime AS (
    INSERT INTO agent_usage_stats AS s (agent_id, tenant_id, total_executions,
        successful_executions, prompt_tokens, completion_tokens, total_tokens, total_cost_usd,
        total_duration_ms, timed_executions, last_executed_at)
    SELECT agent_id, tenant_id, 1, 1, prompt_tokens, completion_tokens,
           prompt_tokens + completion_tokens, cost_usd, duration_ms, 1, completed_at FROM done
    ON CONFLICT (agent_id) DO UPDATE SET
      total_executions = s.total_executions + 1,
      successful_executions = s.successful_executions + 1,
      prompt_tokens = s.prompt_tokens + EXCLUDED.prompt_tokens,
      completion_tokens = s.completion_tokens + EXCLUDED.completion_tokens,
      total_tokens = s.total_tokens + EXCLUDED.total_tokens,
      total_cost_usd = s.total_cost_usd + EXCLUDED.total_cost_usd,
      total_duration_ms = s.total_duration_ms + EXCLUDED.total_duration_ms,
      timed_executions = s.timed_executions + 1,
      last_executed_at = EXCLUDED.last_executed_at),
  daily AS (
    INSERT INTO agent_usage_daily AS d (agent_id, day, model, tenant_id, executions, succeeded,
        prompt_tokens, completion_tokens, total_tokens, cost_usd, total_duration_ms,
        timed_executions)
    SELECT agent_id, (completed_at AT TIME ZONE 'UTC')::date, COALESCE(model, ''), tenant_id, 1,
           1, prompt_tokens, completion_tokens, prompt_tokens + completion_tokens, cost_usd,
           duration_ms, 1 FROM done
    ON CONFLICT (agent_id, day, model) DO UPDATE SET
      executions = d.executions + 1, succeeded = d.succeeded + 1,
      prompt_tokens = d.prompt_tokens + EXCLUDED.prompt_tokens,
      completion_tokens = d.completion_tokens + EXCLUDED.completion_tokens,
      total_tokens = d.total_tokens + EXCLUDED.total_tokens,
      cost_usd = d.cost_usd + EXCLUDED.cost_usd,
      total_duration_ms = d.total_duration_ms + EXCLUDED.total_duration_ms,
      timed_executions = d.timed_executions + 1)
  INSERT INTO usage_attribution_daily AS u (tenant_id, day, agent_id, model, api_key_id,
      end_user, tag, executions, succeeded, failed, cancelled, prompt_tokens, completion_tokens,
      cost_usd, total_duration_ms, timed_executions)
  SELECT tenant_id, (completed_at AT TIME ZONE 'UTC')::date, agent_id, COALESCE(model, ''),
         api_key_id, end_user, tag, 1, 1, 0, 0, prompt_tokens, completion_tokens, cost_usd,
         duration_ms, 1
    FROM done CROSS JOIN LATERAL unnest(array_prepend('', COALESCE(tags, '{}'))) AS t(tag)
  ON CONFLICT ON CONSTRAINT usage_attribution_daily_key DO UPDATE SET
    executions = u.executions + 1, succeeded = u.succeeded + 1,
    prompt_tokens = u.prompt_tokens + EXCLUDED.prompt_tokens,
    completion_tokens = u.completion_tokens + EXCLUDED.completion_tokens,
    cost_usd = u.cost_usd + EXCLUDED.cost_usd,
    total_duration_ms = u.total_duration_ms + EXCLUDED.total_duration_ms,
    timed_executions = u.timed_executions + 1`;

const OUTPUT = JSON.stringify({ text: 'ok', finishReason: 'stop', model: 'echo-1' });

async function main() {
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 10);
  const expected = Number(process.env.BENCH_EXPECT ?? 0);
  const batched = process.env.BENCH_GRAPHILE_BATCHED === '1';
  const pgPool = new Pool({
    connectionString: process.env.DATABASE_URL,
    // graphile-worker's advice is concurrency + 2; capped (BENCH_GRAPHILE_POOL, 20) to stay
    // inside max_connections on a shared server, four times agentq's worker pool.
    max: Math.min(Math.max(10, concurrency + 2), Number(process.env.BENCH_GRAPHILE_POOL ?? 20)),
    application_name: 'agentq-bench-graphile',
  });
  const writes: Task = async (payload) => {
    const { executionId } = payload as { executionId: string };
    await pgPool.query(
      `UPDATE agent_executions SET status = 'running', attempts = attempts + 1,
              started_at = now(), worker_id = 'graphile' WHERE id = $1 AND status = 'queued'`,
      [executionId],
    );
    await pgPool.query(FINISH, [executionId, OUTPUT]);
  };
  pgPool.on('error', (error) => console.error(`graphile worker pool: ${error.message}`));
  const runner = await run({
    pgPool,
    concurrency,
    noHandleSignals: true,
    logger: undefined,
    taskList: { noop: async () => undefined, writes },
    ...(batched
      ? { preset: { worker: { localQueue: { size: concurrency }, completeJobBatchDelay: 0 } } }
      : {}),
  });
  let completed = 0;
  runner.events.on('job:complete', ({ error }) => {
    if (error) console.error(`graphile worker: a job failed: ${String(error)}`);
    completed += 1;
    if (completed === expected)
      emitBenchEvent({ event: 'done', completed, finishedAt: Date.now() });
  });
  emitBenchEvent({ event: 'ready' });
  process.once(
    'SIGTERM',
    () =>
      void runner
        .stop()
        .then(() => pgPool.end())
        .then(() => process.exit(0)),
  );
}

main().catch((error: Error) => {
  console.error(error.stack);
  process.exit(1);
});
