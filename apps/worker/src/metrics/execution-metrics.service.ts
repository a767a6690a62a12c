import { Inject, Injectable } from '@nestjs/common';
import { TerminalOutcome } from '@agentq/executions';
import { METRICS_REGISTRY } from '@agentq/metrics';
import { Counter, Histogram, Registry } from 'prom-client';
import { ClaimedExecution } from '@agentq/executions';

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/**
 * What this worker did, as Prometheus series (scraped from METRICS_PORT) and as the running
 * totals its row in the workers registry reports. The runner and the batcher call one hook per
 * event; each is a few in-memory increments.
 */
@Injectable()
export class ExecutionMetrics {
  /** Executions this process ended, for the workers registry. */
  readonly totals = { completed: 0, failed: 0 };

  private readonly started: Counter;
  private readonly completed: Counter;
  private readonly failed: Counter;
  private readonly cancelled: Counter;
  private readonly retried: Counter;
  private readonly executionDuration: Histogram;
  private readonly providerLatency: Histogram;
  private readonly tokens: Counter;
  private readonly cost: Counter;
  private readonly batchSize: Histogram;
  private readonly commitDuration: Histogram;
  // Claim time per attempt, keyed by the claimed row object so nothing outlives the attempt.
  private readonly claimedAt = new WeakMap<ClaimedExecution, number>();

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.started = new Counter({
      name: 'agentq_jobs_started_total',
      help: 'Execution attempts this worker claimed (marked running)',
      registers,
    });
    this.completed = new Counter({
      name: 'agentq_jobs_completed_total',
      help: 'Executions this worker ended as succeeded',
      registers,
    });
    this.failed = new Counter({
      name: 'agentq_jobs_failed_total',
      help: 'Executions this worker ended as failed (permanent error or attempts exhausted)',
      labelNames: ['code'],
      registers,
    });
    this.cancelled = new Counter({
      name: 'agentq_jobs_cancelled_total',
      help: 'Executions this worker ended as cancelled',
      registers,
    });
    this.retried = new Counter({
      name: 'agentq_jobs_retried_total',
      help: 'Attempts that failed with a transient error and were scheduled again',
      labelNames: ['code'],
      registers,
    });
    this.executionDuration = new Histogram({
      name: 'agentq_execution_duration_seconds',
      help: 'One attempt in this worker, from claim to its terminal outcome being durable',
      labelNames: ['status'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.providerLatency = new Histogram({
      name: 'agentq_provider_latency_seconds',
      help: 'Time of successful provider calls',
      labelNames: ['provider', 'model'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: 'agentq_tokens_total',
      help: 'Tokens of the executions this worker ended, by agent, model and type (prompt, completion)',
      labelNames: ['agent_id', 'model', 'type'],
      registers,
    });
    this.cost = new Counter({
      name: 'agentq_cost_usd_total',
      help: 'Cost in USD of the executions this worker ended (the database has the exact figure)',
      labelNames: ['agent_id', 'model'],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'agentq_group_commit_batch_size',
      help: 'Terminal outcomes written per group commit',
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.commitDuration = new Histogram({
      name: 'agentq_group_commit_duration_seconds',
      help: 'Time of one group commit statement',
      buckets: SECONDS_BUCKETS,
      registers,
    });
  }

  attemptStarted(execution: ClaimedExecution): void {
    this.started.inc();
    this.claimedAt.set(execution, performance.now());
  }

  attemptRetried(code: string): void {
    this.retried.inc({ code });
  }

  providerResponded(execution: ClaimedExecution, model: string, startedAt: number): void {
    const seconds = (performance.now() - startedAt) / 1_000;
    this.providerLatency.observe({ provider: execution.provider.type, model }, seconds);
  }

  /** An outcome this worker won: counted once per execution, like the rollups. */
  outcomeRecorded(execution: ClaimedExecution, outcome: TerminalOutcome): void {
    const claimedAt = this.claimedAt.get(execution);
    if (claimedAt !== undefined) {
      const seconds = (performance.now() - claimedAt) / 1_000;
      this.executionDuration.observe({ status: outcome.status }, seconds);
    }
    if (outcome.status === 'succeeded') {
      this.completed.inc();
      this.totals.completed += 1;
    } else if (outcome.status === 'failed') {
      this.failed.inc({ code: outcome.error?.code ?? 'unknown' });
      this.totals.failed += 1;
    } else {
      this.cancelled.inc();
    }
    this.usageRecorded(execution, outcome.model ?? '', outcome);
  }

  /** Tokens and cost committed: an outcome's, or a tool loop's model step's. */
  usageRecorded(
    execution: ClaimedExecution,
    model: string,
    usage: { promptTokens: number; completionTokens: number; costUsd: string },
  ): void {
    const labels = { agent_id: execution.agentId, model };
    if (usage.promptTokens > 0) this.tokens.inc({ ...labels, type: 'prompt' }, usage.promptTokens);
    if (usage.completionTokens > 0) {
      this.tokens.inc({ ...labels, type: 'completion' }, usage.completionTokens);
    }
    const cost = Number(usage.costUsd);
    if (cost > 0) this.cost.inc(labels, cost);
  }

  groupCommitted(batchSize: number, seconds: number): void {
    this.batchSize.observe(batchSize);
    this.commitDuration.observe(seconds);
  }
}
