import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTenantTransaction } from '@agentq/database';
import {
  AttributionBudgets,
  describeSpentBudget,
  findSpentAttributionBudget,
  hasAttributionBudgets,
  readAttributionBudgets,
} from '@agentq/usage';
import { DataSource } from 'typeorm';
import { BudgetExceededApiError } from '../common/api-errors';

// How long a process reuses a key's budget settings (a change applies within this).
const BUDGETS_TTL_MS = 1_000;

/**
 * Refuses a submission with 402 `budget_exceeded` once an end-user or API-key budget it answers
 * to is spent, before anything is written. Keys and tenants without such budgets cost one read
 * per key per second, not one per submission.
 */
@Injectable()
export class SubmissionBudgets {
  private readonly cached = new Map<string, { budgets: AttributionBudgets; until: number }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async assertWithinBudgets(
    tenantId: string,
    apiKeyId: string,
    users: readonly string[],
  ): Promise<void> {
    const budgets = await this.budgets(tenantId, apiKeyId);
    if (!hasAttributionBudgets(budgets)) return;
    const spent = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      findSpentAttributionBudget(manager, tenantId, apiKeyId, users, budgets),
    );
    if (spent) {
      throw new BudgetExceededApiError(`${describeSpentBudget(spent)}; nothing was submitted`);
    }
  }

  private async budgets(tenantId: string, apiKeyId: string): Promise<AttributionBudgets> {
    const key = `${tenantId}:${apiKeyId}`;
    const now = Date.now();
    const hit = this.cached.get(key);
    if (hit && hit.until > now) return hit.budgets;
    const budgets = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      readAttributionBudgets(manager, tenantId, apiKeyId),
    );
    if (this.cached.size > 10_000) this.cached.clear();
    this.cached.set(key, { budgets, until: now + BUDGETS_TTL_MS });
    return budgets;
  }
}
