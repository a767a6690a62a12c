import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_SCOPES, ApiKey, ApiKeyScope } from '@agentq/database';

/** An API key as lists show it: never the secret, never its hash. */
export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({
    example: 'aq_3kTn0Qx1',
    description: 'first characters of the key, to recognise it',
  })
  prefix!: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes!: ApiKeyScope[];
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) lastUsedAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) revokedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) budgetDailyUsd!: string | null;
  @ApiProperty({ type: String, nullable: true }) budgetMonthlyUsd!: string | null;
}

/** The answer to creating a key: the only time the secret is shown. */
export class CreatedApiKeyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() prefix!: string;
  @ApiProperty({ description: 'the secret; shown once, store it now' }) key!: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes!: ApiKeyScope[];
  @ApiProperty({ type: String, nullable: true }) budgetDailyUsd!: string | null;
  @ApiProperty({ type: String, nullable: true }) budgetMonthlyUsd!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class ApiKeyList {
  @ApiProperty({ type: [ApiKeyView] }) data!: ApiKeyView[];
}

export function toApiKeyView(row: ApiKey): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    budgetDailyUsd: row.budgetDailyUsd,
    budgetMonthlyUsd: row.budgetMonthlyUsd,
  };
}
