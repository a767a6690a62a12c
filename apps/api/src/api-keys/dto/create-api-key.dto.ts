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
}
