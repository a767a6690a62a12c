import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { TOOL_LIMITS } from '@agentq/tools';

const REASON_CHARS = 2_000;

export class ApprovalDecisionDto {
  @ApiProperty({ description: 'a call awaiting approval (requiredAction.toolCalls[].id)' })
  @IsString()
  @Length(1, 200)
  toolCallId!: string;

  @ApiProperty({ description: 'true: the call runs; false: the model is told it was denied' })
  @IsBoolean()
  approve!: boolean;

  @ApiPropertyOptional({ maxLength: REASON_CHARS, description: 'given to the model on a denial' })
  @IsOptional()
  @IsString()
  @MaxLength(REASON_CHARS)
  reason?: string;
}

export class SubmitApprovalsDto {
  @ApiProperty({ type: [ApprovalDecisionDto], description: 'every call awaiting approval, once' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TOOL_LIMITS.tools * 4)
  @ValidateNested({ each: true })
  @Type(() => ApprovalDecisionDto)
  decisions!: ApprovalDecisionDto[];
}

/** Either `approve` (the same decision for every call: a link's button) or `decisions`. */
export class CompleteWaitpointDto {
  @ApiPropertyOptional({ description: 'one decision for every call awaiting approval' })
  @IsOptional()
  @IsBoolean()
  approve?: boolean;

  @ApiPropertyOptional({ maxLength: REASON_CHARS, description: 'with `approve`: the reason' })
  @IsOptional()
  @IsString()
  @MaxLength(REASON_CHARS)
  reason?: string;

  @ApiPropertyOptional({ type: [ApprovalDecisionDto], description: 'instead of `approve`' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TOOL_LIMITS.tools * 4)
  @ValidateNested({ each: true })
  @Type(() => ApprovalDecisionDto)
  decisions?: ApprovalDecisionDto[];
}

export class WaitpointCompletedView {
  @ApiProperty({ format: 'uuid' }) executionId!: string;
  @ApiProperty({ enum: ['queued'], description: 'the execution resumes on any worker' })
  status!: 'queued';
  @ApiProperty({ type: [ApprovalDecisionDto] }) decisions!: ApprovalDecisionDto[];
}
