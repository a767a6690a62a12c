import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsString,
  MaxLength,
} from 'class-validator';
import { API_KEY_SCOPES, ApiKeyScope } from '@agentq/database';
import { Omittable } from '../../common/omittable.decorator';
import { OptionalUsdAmount } from '../../common/usd-amount.decorator';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ci pipeline', maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ enum: API_KEY_SCOPES, isArray: true, default: API_KEY_SCOPES })
  @Omittable()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes?: ApiKeyScope[];

  @OptionalUsdAmount('spend limit per UTC day of what this key submits; then 402 budget_exceeded')
  budgetDailyUsd?: string | null;

  @OptionalUsdAmount('spend limit per calendar month (UTC) of what this key submits')
  budgetMonthlyUsd?: string | null;
}
