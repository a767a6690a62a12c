import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConformsTo } from '../../common/conforms-to.decorator';
import { llmConfigSchema } from '../llm-config.schema';

const field = llmConfigSchema.shape;

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
}
