import { ApiProperty } from '@nestjs/swagger';
import { Tenant } from '@agentq/database';

export class TenantView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) budgetDailyUsd!: string | null;
  @ApiProperty({ type: String, nullable: true }) budgetMonthlyUsd!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'each end user’s, per UTC day' })
  endUserBudgetDailyUsd!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'each end user’s, per month' })
  endUserBudgetMonthlyUsd!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class TenantPage {
  @ApiProperty({ type: [TenantView] }) data!: TenantView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

class FirstApiKeyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() prefix!: string;
  @ApiProperty({ description: 'the secret; shown once, store it now' }) key!: string;
}

/** The answer to creating a tenant: it and its first API key (read + write). */
export class CreatedTenantView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: FirstApiKeyView }) apiKey!: FirstApiKeyView;
}

export function toTenantView(row: Tenant): TenantView {
  return {
    id: row.id,
    name: row.name,
    budgetDailyUsd: row.budgetDailyUsd,
    budgetMonthlyUsd: row.budgetMonthlyUsd,
    endUserBudgetDailyUsd: row.endUserBudgetDailyUsd,
    endUserBudgetMonthlyUsd: row.endUserBudgetMonthlyUsd,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
