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
