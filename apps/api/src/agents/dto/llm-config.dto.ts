import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConformsTo } from '../../common/conforms-to.decorator';
import { llmConfigSchema } from '../llm-config.schema';

const field = llmConfigSchema.shape;

/** One entry of a fallback chain: another provider of the tenant and the model to ask it for. */
export class FallbackModelDto {
  @ApiProperty({ format: 'uuid' }) providerId!: string;
  @ApiProperty({ example: 'claude-haiku-4-5', maxLength: 200 }) model!: string;
}

/**
 * llmConfig in request bodies. Each property is checked by its llmConfigSchema field, so errors
 * name `llmConfig.<key>`; keys this class does not declare are refused by the validation pipe.
 */
export class LlmConfigDto {
  @ApiProperty({ example: 'gpt-4o-mini', maxLength: 200 })
  @ConformsTo(field.model)
  model!: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 2, example: 0.7 })
  @ConformsTo(field.temperature)
  temperature?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200_000 })
  @ConformsTo(field.maxTokens)
  maxTokens?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @ConformsTo(field.topP)
  topP?: number;

  @ApiPropertyOptional({ type: [String], maxItems: 4, description: 'stop sequences' })
  @ConformsTo(field.stop)
  stop?: string[];

  @ApiPropertyOptional({
    type: [FallbackModelDto],
    maxItems: 3,
    description:
      'tried in order when the provider before fails in a retryable way (5xx, timeout, ' +
      'connection error, a 429 or pause longer than fallbackAfterMs); never after a 4xx',
  })
  @ConformsTo(field.fallbacks)
  fallbacks?: FallbackModelDto[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 600_000,
    default: 10_000,
    description: 'a 429 or provider pause longer than this moves to the next fallback',
  })
  @ConformsTo(field.fallbackAfterMs)
  fallbackAfterMs?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1_000,
    maximum: 600_000,
    description: 'a provider call taking longer is abandoned as provider_timeout (may fall back)',
  })
  @ConformsTo(field.callTimeoutMs)
  callTimeoutMs?: number;
}
