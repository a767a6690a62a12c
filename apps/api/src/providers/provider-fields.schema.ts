import { z } from 'zod';

const DECIMAL = /^\d{1,9}(\.\d{1,9})?$/;
const usdPerMillion = z
  .string()
  .regex(DECIMAL, 'must be a non-negative decimal string such as "2.50"');

/** USD per million tokens by model name; overrides the built-in price table for this provider. */
export const modelPricingSchema = z
  .record(
    z.string().min(1).max(200),
    z.strictObject({ inputPerMillion: usdPerMillion, outputPerMillion: usdPerMillion }),
  )
  .refine((pricing) => Object.keys(pricing).length <= 500, 'at most 500 models');

const perMinute = z.number().int().positive().max(100_000_000);

/** Requests and tokens per minute agentq keeps to for this provider, across every worker. */
export const providerRateLimitSchema = z.strictObject({
  requestsPerMinute: perMinute.optional(),
  tokensPerMinute: perMinute.optional(),
});

/** Provider-specific options; unknown keys are refused so typos do not pass silently. */
export const providerSettingsSchema = z.strictObject({
  /** echo: simulated latency per call. */
  latencyMs: z.number().int().min(0).max(60_000).optional(),
});

export type ProviderSettings = z.infer<typeof providerSettingsSchema>;

function isHttpUrlWithoutCredentials(value: string): boolean {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && !url.username && !url.password;
  } catch {
    return false;
  }
}

export const baseUrlSchema = z
  .string()
  .max(2048)
  .refine(isHttpUrlWithoutCredentials, 'must be an http(s) URL without credentials');
