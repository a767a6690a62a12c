import { LlmConfig } from '@agentq/database';
import { z } from 'zod';

/**
 * An agent's model settings, as stored in agents.llm_config. The API validates every write with
 * it; the worker may re-validate what it reads. Unknown keys are refused.
 */
export const llmConfigSchema = z.strictObject({
  model: z.string().min(1).max(200).regex(/\S/, 'must not be blank'),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).max(200_000).optional(),
  topP: z.number().min(0).max(1).optional(),
  stop: z.array(z.string().min(1).max(100)).max(4).optional(),
  fallbacks: z
    .array(
      z.strictObject({
        providerId: z.string().uuid(),
        model: z.string().min(1).max(200).regex(/\S/, 'must not be blank'),
      }),
    )
    .max(3)
    .optional(),
  fallbackAfterMs: z.number().int().min(0).max(600_000).optional(),
  callTimeoutMs: z.number().int().min(1_000).max(600_000).optional(),
}) satisfies z.ZodType<LlmConfig>;
