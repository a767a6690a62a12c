import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import {
  ATTRIBUTION_LIMITS,
  endUserSchema,
  metadataSchema,
  TAG_PATTERN,
  tagsSchema,
} from '@agentq/executions';
import { ConformsTo } from './conforms-to.decorator';

// The three attribution fields a submission, a plan and a schedule take, declared once. The
// API key is not among them: it comes from authentication.

export const EndUserField = () =>
  applyDecorators(
    ApiPropertyOptional({
      maxLength: ATTRIBUTION_LIMITS.userChars,
      example: 'user-123',
      description: 'your end user this runs for (like the `user` field of the OpenAI API)',
    }),
    IsOptional(),
    ConformsTo(endUserSchema),
  );

export const TagsField = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: [String],
      maxItems: ATTRIBUTION_LIMITS.tags,
      example: ['invoice-7781'],
      description: `up to ${ATTRIBUTION_LIMITS.tags} tags of at most ${ATTRIBUTION_LIMITS.tagChars} characters of ${TAG_PATTERN.source}`,
    }),
    IsOptional(),
    ConformsTo(tagsSchema),
  );

export const MetadataField = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'object',
      additionalProperties: true,
      example: { orderId: 'A-1001' },
      description: `a JSON object of at most ${ATTRIBUTION_LIMITS.metadataBytes} bytes; top-level keys are searchable`,
    }),
    IsOptional(),
    ConformsTo(metadataSchema),
  );
