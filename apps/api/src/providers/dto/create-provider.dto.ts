import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ModelPricing, PROVIDER_TYPES, ProviderRateLimit, ProviderType } from '@agentq/database';
import { ConformsTo } from '../../common/conforms-to.decorator';
import { Omittable } from '../../common/omittable.decorator';
import {
  baseUrlSchema,
  modelPricingSchema,
  providerRateLimitSchema,
  ProviderSettings,
  providerSettingsSchema,
} from '../provider-fields.schema';
import {
  MODEL_PRICING_OPENAPI,
  PROVIDER_RATE_LIMIT_OPENAPI,
  PROVIDER_SETTINGS_OPENAPI,
} from '../provider-openapi';

export class CreateProviderDto {
  @ApiProperty({ example: 'openai-prod', maxLength: 100, description: 'unique per tenant' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({
    enum: PROVIDER_TYPES,
    description: '`echo` is an offline test provider, not a model',
  })
  @IsIn(PROVIDER_TYPES)
  type!: ProviderType;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    writeOnly: true,
    description: 'required for openai and anthropic; stored encrypted and never returned',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  apiKey?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'http://localhost:11434/v1',
    description: 'http(s) URL without credentials; required for openai-compatible',
  })
  @IsOptional()
  @ConformsTo(baseUrlSchema)
  baseUrl?: string | null;

  @ApiPropertyOptional({
    description:
      "make this the tenant's default provider, used by agents that name none; a tenant's first provider is the default unless this is false",
  })
  @Omittable()
  @IsBoolean()
  isDefault?: boolean;

  @ApiPropertyOptional({ default: true })
  @Omittable()
  @IsBoolean()
  isActive?: boolean;

  @ApiPropertyOptional({ ...MODEL_PRICING_OPENAPI, nullable: true })
  @IsOptional()
  @ConformsTo(modelPricingSchema)
  pricing?: ModelPricing | null;

  @ApiPropertyOptional({ ...PROVIDER_RATE_LIMIT_OPENAPI, nullable: true })
  @IsOptional()
  @ConformsTo(providerRateLimitSchema)
  rateLimit?: ProviderRateLimit | null;

  @ApiPropertyOptional(PROVIDER_SETTINGS_OPENAPI)
  @Omittable()
  @ConformsTo(providerSettingsSchema)
  settings?: ProviderSettings;
}
