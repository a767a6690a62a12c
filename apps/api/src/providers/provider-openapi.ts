import { ApiPropertyOptions } from '@nestjs/swagger';

const usdPerMillion = {
  type: 'string',
  example: '2.50',
  description: 'USD per million tokens',
} as const;

/** OpenAPI for the zod-validated pricing map, shared by the request DTOs and the view. */
export const MODEL_PRICING_OPENAPI = {
  type: 'object',
  description: 'per-model prices overriding the built-in table, keyed by model name',
  additionalProperties: {
    type: 'object',
    properties: { inputPerMillion: usdPerMillion, outputPerMillion: usdPerMillion },
    required: ['inputPerMillion', 'outputPerMillion'],
  },
  example: { 'gpt-4o-mini': { inputPerMillion: '0.15', outputPerMillion: '0.60' } },
} satisfies ApiPropertyOptions;

export const PROVIDER_SETTINGS_OPENAPI = {
  type: 'object',
  properties: {
    latencyMs: {
      type: 'integer',
      minimum: 0,
      maximum: 60_000,
      description: 'echo: simulated latency per call',
    },
  },
  additionalProperties: false,
} satisfies ApiPropertyOptions;

const perMinute = { type: 'integer', minimum: 1, maximum: 100_000_000 } as const;

/** OpenAPI for the zod-validated rate limit, shared by the request DTOs and the view. */
export const PROVIDER_RATE_LIMIT_OPENAPI = {
  type: 'object',
  description:
    'limits agentq keeps to for this provider across all workers (see docs/dispatch.md); null or absent: none',
  properties: {
    requestsPerMinute: { ...perMinute, description: 'model calls per minute' },
    tokensPerMinute: {
      ...perMinute,
      description:
        'prompt + completion tokens per minute (estimated before a call, corrected after)',
    },
  },
  additionalProperties: false,
  example: { requestsPerMinute: 60, tokensPerMinute: 90_000 },
} satisfies ApiPropertyOptions;
