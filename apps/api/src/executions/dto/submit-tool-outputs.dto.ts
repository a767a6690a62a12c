import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsString,
  Length,
  ValidateNested,
} from 'class-validator';
import { TOOL_LIMITS } from '@agentq/tools';
import { jsonValueSchema } from '../../common/json-value.schema';

export class ToolOutputDto {
  @ApiProperty({ description: 'the id of a pending tool call (requiredAction.toolCalls[].id)' })
  @IsString()
  @Length(1, 200)
  toolCallId!: string;

  @ApiProperty({
    description:
      'what the tool returned: a string as it is, any other JSON value is sent to the model as JSON',
    ...jsonValueSchema(),
  })
  @IsDefined()
  output!: unknown;
}

export class SubmitToolOutputsDto {
  @ApiProperty({ type: [ToolOutputDto], description: 'every pending tool call, exactly once' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TOOL_LIMITS.tools * 4)
  @ValidateNested({ each: true })
  @Type(() => ToolOutputDto)
  outputs!: ToolOutputDto[];
}
