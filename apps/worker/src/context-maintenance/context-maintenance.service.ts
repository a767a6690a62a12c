import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MAINTENANCE_DATA_SOURCE } from '@agentq/database';
import { REDACTED_MESSAGE_CONTENT } from '@agentq/agent-context';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { archiveIdleSessions, purgePayloads, deleteExpiredSessionEvents } from '@agentq/executions';
import { ContextMaintenanceJobResult } from '@agentq/jobs';
import { deleteExpiredPlans } from '@agentq/plans';
import { deleteExpiredScheduleFirings } from '@agentq/schedules';
import { deleteExpiredAuditEntries } from '@agentq/audit';
import { deleteExpiredWebhookDeliveries } from '@agentq/webhooks';
import { DataSource, QueryRunner } from 'typeorm';
import { DeletedAgentDispatchKeys } from '../dispatch/deleted-agent-dispatch-keys.service';

export type ContextMaintenancePolicy = AppConfig['contextMaintenance'];

// One run per deployment at a time, whatever the job scheduler does (session-level lock).
const LOCK_SQL = `SELECT pg_try_advisory_lock(hashtext('agentq:context-maintenance')) AS locked`;
const UNLOCK_SQL = `SELECT pg_advisory_unlock(hashtext('agentq:context-maintenance'))`;

// Statements a run repeats at most per task, so one run stays bounded; the next run goes on.
const MAX_ROUNDS_PER_TASK = 100;

const SECONDS_PER_DAY = 86_400;

// Handoff messages are copies of outputs: they age out with them.
const CLEAR_MESSAGE_CONTENT_SQL = `
WITH batch AS (
  SELECT id FROM agent_messages
   WHERE content <> $3 AND created_at < now() - make_interval(secs => $1)
   ORDER BY created_at
   LIMIT $2
     FOR UPDATE SKIP LOCKED
)
UPDATE agent_messages m SET content = $3 FROM batch WHERE m.id = batch.id`;

// Unused for too long and not important enough to keep: least important, least recent first.
const DELETE_EXPIRED_MEMORIES_SQL = `
WITH batch AS (
  SELECT id FROM agent_memories
   WHERE COALESCE(last_accessed_at, created_at) < now() - make_interval(secs => $1)
     AND importance < $2
   ORDER BY importance, COALESCE(last_accessed_at, created_at)
   LIMIT $3
     FOR UPDATE SKIP LOCKED
)
DELETE FROM agent_memories m USING batch WHERE m.id = batch.id`;

// Each agent keeps its `$1` most important memories (ties: the most recently used).
const DELETE_MEMORIES_OVER_CAP_SQL = `
WITH over_cap AS (
  SELECT agent_id, count(*) - $1 AS surplus
    FROM agent_memories
   GROUP BY agent_id
  HAVING count(*) > $1
   LIMIT $2
),
doomed AS (
  SELECT m.id
    FROM over_cap o
   CROSS JOIN LATERAL (
     SELECT id FROM agent_memories
      WHERE agent_id = o.agent_id
      ORDER BY importance, COALESCE(last_accessed_at, created_at), id
      LIMIT o.surplus) m
)
DELETE FROM agent_memories m USING doomed WHERE m.id = doomed.id`;

/**
 * The agent-context maintenance run: payload retention, memory cleanup (age, then the
 * per-agent cap), session archiving, and the retention of rows that would otherwise only grow
 * (webhook deliveries, schedule firings, session events, finished plans). Every step works in
 * bounded batches.
 */
@Injectable()
export class ContextMaintenance {
  private readonly logger = new Logger(ContextMaintenance.name);

  constructor(
    @InjectDataSource(MAINTENANCE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly dispatchKeys: DeletedAgentDispatchKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(
    policy: ContextMaintenancePolicy = this.config.contextMaintenance,
  ): Promise<ContextMaintenanceJobResult> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(LOCK_SQL);
      if (!locked) return { skipped: 'another run holds the lock', ...nothingDone() };
      try {
        const result = await this.runLocked(runner, policy);
        if (Object.values(result).some((n) => n > 0)) {
          this.logger.log(`context maintenance: ${JSON.stringify(result)}`);
        }
        return result;
      } finally {
        await runner.query(UNLOCK_SQL);
      }
    } finally {
      await runner.release();
    }
  }

  private async runLocked(
    runner: QueryRunner,
    policy: ContextMaintenancePolicy,
  ): Promise<ContextMaintenanceJobResult> {
    const result = nothingDone();
    const batch = policy.batchSize;
    const query = (sql: string, parameters: unknown[]) => affectedRows(runner, sql, parameters);
    if (policy.payloadRetentionDays > 0) {
      const age = policy.payloadRetentionDays * SECONDS_PER_DAY;
      result.payloadsCleared = await repeat(() => purgePayloads(query, age, batch), batch);
      result.messagesCleared = await repeat(
        () => query(CLEAR_MESSAGE_CONTENT_SQL, [age, batch, REDACTED_MESSAGE_CONTENT]),
        batch,
      );
    }
    if (policy.memoryMaxAgeDays > 0) {
      const age = policy.memoryMaxAgeDays * SECONDS_PER_DAY;
      result.memoriesExpired = await repeat(
        () => query(DELETE_EXPIRED_MEMORIES_SQL, [age, policy.memoryKeepImportance, batch]),
        batch,
      );
    }
    if (policy.memoryMaxPerAgent > 0) {
      result.memoriesOverCap = await repeat(
        () => query(DELETE_MEMORIES_OVER_CAP_SQL, [policy.memoryMaxPerAgent, batch]),
        // A round covers up to `batch` agents; any progress means another round may find more.
        1,
      );
    }
    if (policy.sessionArchiveAfterDays > 0) {
      const age = policy.sessionArchiveAfterDays * SECONDS_PER_DAY;
      result.sessionsArchived = await repeat(() => archiveIdleSessions(query, age, batch), batch);
    }
    const expiries = [
      [
        'webhookDeliveriesDeleted',
        policy.webhookDeliveryRetentionDays,
        deleteExpiredWebhookDeliveries,
      ],
      ['scheduleFiringsDeleted', policy.scheduleFiringRetentionDays, deleteExpiredScheduleFirings],
      ['sessionEventsDeleted', policy.sessionEventRetentionDays, deleteExpiredSessionEvents],
      ['plansDeleted', policy.planRetentionDays, deleteExpiredPlans],
      ['auditEntriesDeleted', policy.auditLogRetentionDays, deleteExpiredAuditEntries],
    ] as const;
    for (const [counter, days, deleteExpired] of expiries) {
      if (days > 0) result[counter] = await repeat(() => deleteExpired(query, days, batch), batch);
    }
    result.dispatchKeysDeleted = await this.dispatchKeys.deleteKeysOfDeletedAgents();
    return result;
  }
}

function nothingDone(): Omit<ContextMaintenanceJobResult, 'skipped'> {
  return {
    payloadsCleared: 0,
    messagesCleared: 0,
    memoriesExpired: 0,
    memoriesOverCap: 0,
    sessionsArchived: 0,
    webhookDeliveriesDeleted: 0,
    scheduleFiringsDeleted: 0,
    sessionEventsDeleted: 0,
    plansDeleted: 0,
    auditEntriesDeleted: 0,
    dispatchKeysDeleted: 0,
  };
}

// Runs a batch round until one affects fewer than `fullRound` rows; returns the total.
async function repeat(round: () => Promise<number>, fullRound: number): Promise<number> {
  let total = 0;
  for (let n = 0; n < MAX_ROUNDS_PER_TASK; n += 1) {
    const affected = await round();
    total += affected;
    if (affected < fullRound) break;
  }
  return total;
}

async function affectedRows(runner: QueryRunner, sql: string, parameters: unknown[]) {
  const result = await runner.query(sql, parameters, true);
  return result.affected ?? 0;
}
