import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ExecutionError,
  inTenantTransaction,
  queryPrepared,
  setTransactionTenant,
} from '@agentq/database';
import { DataSource } from 'typeorm';
import { ClaimedExecution } from '../store/claimed-execution';
import { LifecycleAnnouncer } from '../streams/lifecycle-announcer.service';
import { AttemptStream } from '../streams/execution-stream';
import { groupSorted } from '../batching/group-sorted';
import { ItemOutcome, MicroBatcher } from '../batching/micro-batcher';
import { attributionFromRecord } from '../attribution/attribution';

const CLAIM_SQL = `
UPDATE agent_executions e
   SET status = 'running', attempts = e.attempts + 1, started_at = now(), worker_id = $2
  FROM agents a
  JOIN llm_providers p ON p.id = a.provider_id
  JOIN tenants t ON t.id = a.tenant_id
 WHERE e.id = ANY($1::uuid[]) AND e.status IN ('queued', 'running') AND a.id = e.agent_id
   AND (e.debounce_key IS NULL OR e.status = 'running' OR e.run_at IS NULL OR e.run_at <= now())
RETURNING e.id, e.tenant_id, e.agent_id, e.session_id, e.input, e.priority, e.attempts, e.max_attempts,
          e.timeout_ms, e.started_at, e.stream, e.response_format, e.api_key_id, e.end_user,
          e.tags, e.metadata, e.max_cost_usd, e.max_tokens,
          (e.handoff_to_agent_id IS NOT NULL OR e.store_output_as_memory
           OR e.save_output_as IS NOT NULL) AS has_follow_up_flags,
          a.role, a.backstory, a.goal, a.status AS agent_status,
          COALESCE(e.llm_config_override, a.llm_config) AS llm_config,
          a.enable_memory, a.max_concurrency, a.concurrency_key, a.max_concurrency_per_key,
          COALESCE(e.tools_override, a.tools) AS tools,
          a.max_steps, a.input_guard, a.output_guard, a.knowledge,
          COALESCE(e.action_timeout_ms, a.action_timeout_ms) AS action_timeout_ms,
          p.id AS provider_id, p.type AS provider_type, p.base_url, p.api_key_ciphertext,
          p.settings, p.pricing, p.rate_limit, p.is_active, p.updated_at AS provider_updated_at,
          a.budget_daily_usd AS agent_budget_daily, a.budget_monthly_usd AS agent_budget_monthly,
          t.budget_daily_usd AS tenant_budget_daily, t.budget_monthly_usd AS tenant_budget_monthly,
          CASE WHEN e.end_user IS NOT NULL THEN t.end_user_budget_daily_usd END
            AS end_user_budget_daily,
          CASE WHEN e.end_user IS NOT NULL THEN t.end_user_budget_monthly_usd END
            AS end_user_budget_monthly,
          (SELECT k.budget_daily_usd FROM api_keys k WHERE k.id = e.api_key_id)
            AS api_key_budget_daily,
          (SELECT k.budget_monthly_usd FROM api_keys k WHERE k.id = e.api_key_id)
            AS api_key_budget_monthly`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ClaimRow = Record<string, any>;

interface ClaimRequest {
  executionId: string;
  tenantId: string;
  workerId: string;
}

const MAX_CLAIM_BATCH = 100;

// One attempt of an execution. Every claim adds an attempt, so a worker that lost its job lock
// (and whose job another worker claimed since) holds a stale number and moves nothing.
type AttemptRef = Pick<ClaimedExecution, 'id' | 'tenantId' | 'agentId' | 'attempts'>;

/**
 * Row-level steps of an attempt that are not terminal (terminal ones go through the finisher),
 * each announced with its lifecycle event.
 */
@Injectable()
export class ExecutionClaims {
  private readonly batcher = new MicroBatcher<ClaimRequest, ClaimRow | null>(
    (requests) => this.claimMany(requests),
    { maxBatchSize: MAX_CLAIM_BATCH },
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly announcer: LifecycleAnnouncer,
  ) {}

  /**
   * Marks the execution running for this attempt; null when it is already terminal (or not
   * the job's tenant's: the job payload names the tenant, row-level security checks it).
   * Concurrent claims go together: one transaction, one statement per tenant.
   */
  async claim(
    executionId: string,
    tenantId: string,
    workerId: string,
  ): Promise<ClaimedExecution | null> {
    const row = await this.batcher.submit({ executionId, tenantId, workerId });
    return row ? toClaimedExecution(row) : null;
  }

  /**
   * The claimed attempt was admitted (a claim can still be undone by `releaseUnattempted`, and
   * announces nothing): `started` is published and the attempt's output stream begins.
   */
  begin(execution: ClaimedExecution): AttemptStream {
    return this.announcer.started(execution, execution.agent.tools.length > 0);
  }

  private async claimMany(requests: ClaimRequest[]): Promise<ItemOutcome<ClaimRow | null>[]> {
    const groups = groupSorted(requests, (r) => `${r.tenantId}/${r.workerId}`);
    const rows = await this.dataSource.transaction(async (manager) => {
      const claimed: ClaimRow[] = [];
      for (const [, group] of groups) {
        await setTransactionTenant(manager, group[0].tenantId);
        claimed.push(
          ...(await queryPrepared<ClaimRow>(manager, 'agentq_claim', CLAIM_SQL, [
            group.map((r) => r.executionId),
            group[0].workerId,
          ])),
        );
      }
      return claimed;
    });
    const byId = new Map(rows.map((row) => [row.id as string, row]));
    return requests.map((r) => ({ ok: true, value: byId.get(r.executionId) ?? null }));
  }

  /** Back to `queued`, error untouched: the attempt was interrupted, not failed. */
  async release(execution: AttemptRef): Promise<boolean> {
    const [, affected] = await inTenantTransaction(this.dataSource, execution.tenantId, (manager) =>
      manager.query(
        `UPDATE agent_executions SET status = 'queued'
          WHERE id = $1 AND status = 'running' AND attempts = $2`,
        [execution.id, execution.attempts],
      ),
    );
    return affected > 0;
  }

  /**
   * Undoes the claim of an attempt that must wait its turn instead (a concurrency slot, a
   * rate-limit turn, the end of a provider pause, its own 429 included): back to `queued`
   * without using an attempt; a first attempt's start time is cleared so that queue-wait
   * figures stay honest. `announced`: the attempt had begun (`started` was published), so the
   * deferral is announced as `retrying` with this reason.
   */
  async releaseUnattempted(
    execution: AttemptRef,
    announced?: { code: string; message: string },
  ): Promise<boolean> {
    const [, affected] = await inTenantTransaction(this.dataSource, execution.tenantId, (manager) =>
      manager.query(
        `UPDATE agent_executions
            SET status = 'queued', attempts = attempts - 1,
                started_at = CASE WHEN attempts = 1 THEN NULL ELSE started_at END,
                worker_id = CASE WHEN attempts = 1 THEN NULL ELSE worker_id END
          WHERE id = $1 AND status = 'running' AND attempts = $2`,
        [execution.id, execution.attempts],
      ),
    );
    if (announced) this.announcer.retrying(execution, announced);
    return affected > 0;
  }

  /** The agent's maxConcurrency (null: no limit, or no such agent), for admission before a claim. */
  async agentConcurrencyLimit(tenantId: string, agentId: string): Promise<number | null> {
    const rows: { max_concurrency: number | null }[] = await inTenantTransaction(
      this.dataSource,
      tenantId,
      (manager) => manager.query(`SELECT max_concurrency FROM agents WHERE id = $1`, [agentId]),
    );
    return rows[0]?.max_concurrency ?? null;
  }

  /**
   * Ms until a debounced execution that a claim passed over may start (its window moved on after
   * its job came due), or null when it is not such an execution (ended, say).
   */
  async debounceWaitMs(tenantId: string, executionId: string): Promise<number | null> {
    const rows: { ms: number }[] = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      manager.query(
        `SELECT ceil(extract(epoch FROM run_at - now()) * 1000)::int AS ms FROM agent_executions
          WHERE id = $1 AND status = 'queued' AND debounce_key IS NOT NULL AND run_at > now()`,
        [executionId],
      ),
    );
    return rows[0] ? Math.max(1, rows[0].ms) : null;
  }

  /** Back to `queued` with the attempt's error, announced `retrying`, while BullMQ waits out the backoff. */
  async markRetrying(execution: AttemptRef, error: ExecutionError): Promise<boolean> {
    const [, affected] = await inTenantTransaction(this.dataSource, execution.tenantId, (manager) =>
      manager.query(
        `UPDATE agent_executions SET status = 'queued', error = $3
          WHERE id = $1 AND status = 'running' AND attempts = $2`,
        [execution.id, execution.attempts, JSON.stringify(error)],
      ),
    );
    this.announcer.retrying(execution, error);
    return affected > 0;
  }
}

function toClaimedExecution(row: ClaimRow): ClaimedExecution {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    agentId: row.agent_id,
    sessionId: row.session_id,
    input: row.input,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    timeoutMs: row.timeout_ms,
    hasFollowUpFlags: row.has_follow_up_flags,
    stream: row.stream,
    responseFormat: row.response_format,
    startedAt: row.started_at,
    attribution: attributionFromRecord(row),
    agent: {
      role: row.role,
      backstory: row.backstory,
      goal: row.goal,
      status: row.agent_status,
      llmConfig: row.llm_config,
      enableMemory: row.enable_memory,
      maxConcurrency: row.max_concurrency,
      concurrencyKey: row.concurrency_key,
      maxConcurrencyPerKey: row.max_concurrency_per_key,
      tools: row.tools,
      maxSteps: row.max_steps,
      inputGuard: row.input_guard,
      outputGuard: row.output_guard,
      knowledge: row.knowledge,
    },
    actionTimeoutMs: row.action_timeout_ms,
    limits: { maxCostUsd: row.max_cost_usd, maxTokens: row.max_tokens },
    provider: {
      id: row.provider_id,
      type: row.provider_type,
      baseUrl: row.base_url,
      apiKeyCiphertext: row.api_key_ciphertext,
      settings: row.settings,
      pricing: row.pricing,
      rateLimit: row.rate_limit,
      isActive: row.is_active,
      updatedAt: row.provider_updated_at,
    },
    budgets: {
      agentDailyUsd: row.agent_budget_daily,
      agentMonthlyUsd: row.agent_budget_monthly,
      tenantDailyUsd: row.tenant_budget_daily,
      tenantMonthlyUsd: row.tenant_budget_monthly,
      endUserDailyUsd: row.end_user_budget_daily,
      endUserMonthlyUsd: row.end_user_budget_monthly,
      apiKeyDailyUsd: row.api_key_budget_daily,
      apiKeyMonthlyUsd: row.api_key_budget_monthly,
    },
  };
}
