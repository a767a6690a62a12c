import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTenantTransaction } from '@agentq/database';
import {
  agentActivity,
  AttributionGrouping,
  planExecutionReads,
  readAgentUsage,
  readAttributionUsage,
  readUsageRollups,
  UsageGrouping,
} from '@agentq/executions';
import { readPlansUsage } from '@agentq/plans';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/api-errors';
import { ATTRIBUTION_DIMENSIONS, UsageDimension, UsageQuery } from './dto/usage.query';

const DIMENSION_COLUMNS: Record<UsageDimension, AttributionGrouping> = {
  agent: { column: 'agent_id', field: 'agentId' },
  day: { column: "to_char(day, 'YYYY-MM-DD')", field: 'day' },
  model: { column: 'model', field: 'model' },
  user: { column: 'end_user', field: 'user' },
  apiKey: { column: 'api_key_id', field: 'apiKeyId' },
  tag: { column: 'tag', field: 'tag' },
};

/** Who-ran-it groupings and filters read the attribution rollup; the others agent_usage_daily. */
export function readsAttributionRollup(query: UsageQuery): boolean {
  return (
    (query.groupBy ?? []).some((dimension) => ATTRIBUTION_DIMENSIONS.includes(dimension)) ||
    query.user !== undefined ||
    query.apiKeyId !== undefined ||
    query.tag !== undefined
  );
}

const toNumber = (value: string | number | null) => (value === null ? 0 : Number(value));

/** Reads the rollups only: the per-agent lifetime row and the daily table. */
@Injectable()
export class UsageService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  agentStats(tenantId: string, agentId: string) {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const [agent] = await manager.query(
        `SELECT id FROM agents WHERE id = $1 AND tenant_id = $2`,
        [agentId, tenantId],
      );
      if (!agent) throw new NotFoundError('agent');
      const { lifetime, periods } = await readAgentUsage(manager, agentId);
      const activity = await agentActivity(manager, tenantId, agentId);
      return {
        agentId,
        ...activity,
        totalExecutions: toNumber(lifetime?.total_executions ?? 0),
        successfulExecutions: toNumber(lifetime?.successful_executions ?? 0),
        failedExecutions: toNumber(lifetime?.failed_executions ?? 0),
        cancelledExecutions: toNumber(lifetime?.cancelled_executions ?? 0),
        promptTokens: toNumber(lifetime?.prompt_tokens ?? 0),
        completionTokens: toNumber(lifetime?.completion_tokens ?? 0),
        totalTokens: toNumber(lifetime?.total_tokens ?? 0),
        totalCostUsd: lifetime?.total_cost_usd ?? '0.000000000',
        avgResponseTimeMs:
          lifetime && Number(lifetime.timed_executions) > 0
            ? Math.round(Number(lifetime.total_duration_ms) / Number(lifetime.timed_executions))
            : null,
        executionsToday: toNumber(periods.today),
        executionsThisWeek: toNumber(periods.week),
        executionsThisMonth: toNumber(periods.month),
        lastExecutedAt: lifetime?.last_executed_at ?? null,
      };
    });
  }

  usage(tenantId: string, query: UsageQuery) {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const groupBy: UsageDimension[] = [
        ...new Set(query.groupBy ?? (['agent'] as UsageDimension[])),
      ];
      const to = (query.to ?? new Date().toISOString()).slice(0, 10);
      const from = (query.from ?? new Date(Date.now() - 29 * 86_400_000).toISOString()).slice(
        0,
        10,
      );
      const dimensions = groupBy.map((dimension) => DIMENSION_COLUMNS[dimension]);
      const rows = readsAttributionRollup(query)
        ? await readAttributionUsage(manager, tenantId, from, to, dimensions, query)
        : await readUsageRollups(manager, tenantId, from, to, dimensions as UsageGrouping[]);
      return {
        from,
        to,
        groupBy,
        plans: await readPlansUsage(manager, from, to, planExecutionReads),
        data: rows.map((row) => ({
          ...Object.fromEntries(dimensions.map((d) => [d.field, row[d.field]])),
          executions: toNumber(row.executions),
          succeeded: toNumber(row.succeeded),
          failed: toNumber(row.failed),
          cancelled: toNumber(row.cancelled),
          promptTokens: toNumber(row.promptTokens),
          completionTokens: toNumber(row.completionTokens),
          totalTokens: toNumber(row.totalTokens),
          costUsd: row.costUsd,
          avgDurationMs: row.avgDurationMs === null ? null : toNumber(row.avgDurationMs),
        })),
      };
    });
  }
}
