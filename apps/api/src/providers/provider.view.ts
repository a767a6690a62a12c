import { ApiProperty } from '@nestjs/swagger';
import {
  LlmProvider,
  ModelPricing,
  PROVIDER_TYPES,
  ProviderRateLimit,
  ProviderType,
} from '@agentq/database';
import {
  MODEL_PRICING_OPENAPI,
  PROVIDER_RATE_LIMIT_OPENAPI,
  PROVIDER_SETTINGS_OPENAPI,
} from './provider-openapi';

/** A provider as the API shows it: the API key is write-only, only its last four characters show. */
export class ProviderView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PROVIDER_TYPES }) type!: ProviderType;
  @ApiProperty({ type: String, nullable: true }) baseUrl!: string | null;
  @ApiProperty({ type: Boolean }) hasApiKey!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'null when there is no key or it is too short to hint at',
  })
  apiKeyLast4!: string | null;
  @ApiProperty() isDefault!: boolean;
  @ApiProperty() isActive!: boolean;
  @ApiProperty({ ...MODEL_PRICING_OPENAPI, nullable: true }) pricing!: ModelPricing | null;
  @ApiProperty({ ...PROVIDER_RATE_LIMIT_OPENAPI, nullable: true })
  rateLimit!: ProviderRateLimit | null;
  @ApiProperty(PROVIDER_SETTINGS_OPENAPI) settings!: Record<string, unknown>;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class ProviderList {
  @ApiProperty({ type: [ProviderView] }) data!: ProviderView[];
}

export function toProviderView(row: LlmProvider): ProviderView {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    baseUrl: row.baseUrl,
    hasApiKey: row.apiKeyCiphertext !== null,
    apiKeyLast4: row.apiKeyLast4,
    isDefault: row.isDefault,
    isActive: row.isActive,
    pricing: row.pricing,
    rateLimit: row.rateLimit,
    settings: row.settings,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
