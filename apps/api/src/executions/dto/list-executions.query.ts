import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { EXECUTION_STATUSES, ExecutionStatus } from '@agentq/database';
import { endUserSchema, tagsSchema } from '@agentq/executions';
import { z } from 'zod';
import { IsCalendarTimestamp } from '../../common/calendar-timestamp';
import { ConformsTo } from '../../common/conforms-to.decorator';
import { PageQuery } from '../../common/page.query';
import { createValidationPipe } from '../../common/validation.pipe';

export const METADATA_FILTER_LIMITS = { keys: 10, keyChars: 256, valueChars: 1_024 } as const;

const metadataFilterSchema = z
  .record(
    z.string().min(1).max(METADATA_FILTER_LIMITS.keyChars),
    z.string().max(METADATA_FILTER_LIMITS.valueChars, 'give one value of at most 1024 characters'),
  )
  .refine((filter) => Object.keys(filter).length <= METADATA_FILTER_LIMITS.keys, {
    message: `at most ${METADATA_FILTER_LIMITS.keys} metadata filters`,
  });

export class ListExecutionsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agentId?: string;

  @ApiPropertyOptional({ enum: EXECUTION_STATUSES })
  @IsOptional()
  @IsIn(EXECUTION_STATUSES)
  status?: ExecutionStatus;

  @ApiPropertyOptional({ description: 'created at or after (RFC 3339 date or date-time)' })
  @IsOptional()
  @IsCalendarTimestamp()
  from?: string;

  @ApiPropertyOptional({ description: 'created before (RFC 3339 date or date-time)' })
  @IsOptional()
  @IsCalendarTimestamp()
  to?: string;

  @ApiPropertyOptional({ description: 'the end user the executions ran for' })
  @IsOptional()
  @ConformsTo(endUserSchema)
  user?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the conversation session they belong to' })
  @IsOptional()
  @IsUUID()
  sessionId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the API key that submitted them' })
  @IsOptional()
  @IsUUID()
  apiKeyId?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'repeatable (`?tag=a&tag=b`): executions carrying all of them',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === undefined || Array.isArray(value) ? value : [value],
  )
  @ConformsTo(tagsSchema)
  tag?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'sent as `?metadata.<key>=<value>` (or `?metadata[<key>]=<value>`): executions whose top-level metadata key equals the ' +
      'value (as a string, or as the number, boolean or null it spells); repeat for more keys',
  })
  @IsOptional()
  @ConformsTo(metadataFilterSchema)
  metadata?: Record<string, string>;
}

// `metadata.<key>`, or OpenAPI's deepObject style `metadata[<key>]` (what openapi-fetch sends).
const METADATA_PARAMETER = /^metadata(?:\.(.+)|\[(.+)\])$/s;

/**
 * `?metadata.<key>=<value>` pairs folded into one `metadata` object (the whitelisting validation
 * would refuse the dotted names); a key given twice keeps both values, which validation refuses.
 */
export function foldMetadataFilters(query: Record<string, unknown>): Record<string, unknown> {
  const folded: Record<string, unknown> = {};
  const metadata: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    const match = METADATA_PARAMETER.exec(name);
    if (match) metadata[match[1] ?? match[2]] = value;
    else folded[name] = value;
  }
  if (Object.keys(metadata).length > 0) {
    if (folded.metadata !== undefined) metadata[''] = folded.metadata;
    folded.metadata = metadata;
  }
  return folded;
}

const FoldedQuery = createParamDecorator((_: unknown, context: ExecutionContext) =>
  foldMetadataFilters(
    context.switchToHttp().getRequest<{ query: Record<string, unknown> }>().query ?? {},
  ),
);

/** The list's query with its metadata filters folded, validated like any other query. */
export const ExecutionListQuery = () =>
  FoldedQuery(createValidationPipe({ validateCustomDecorators: true }));
