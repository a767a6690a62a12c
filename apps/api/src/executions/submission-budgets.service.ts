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
import { ShortLivedCache } from '../common/short-lived-cache';

// How long a process reuses a key's budget settings (a change applies within this).
const BUDGETS_TTL_MS = 1_000;

/**
 * Refuses a submission with 402 `budget_exceeded` once an end-user or API-key budget it answers
 * to is spent, before anything is written. Keys and tenants without such budgets cost one read
 * per key per second, not one per submission.
 */
@Injectable()
export class SubmissionBudgets {
  private readonly cached = new ShortLivedCache<AttributionBudgets>(BUDGETS_TTL_MS, 10_000);

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

  private budgets(tenantId: string, apiKeyId: string): Promise<AttributionBudgets> {
    return this.cached.get(`${tenantId}:${apiKeyId}`, () =>
      inTenantTransaction(this.dataSource, tenantId, (manager) =>
        readAttributionBudgets(manager, tenantId, apiKeyId),
      ),
    );
  }
}
