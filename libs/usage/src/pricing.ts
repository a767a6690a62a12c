import { ModelPricing } from '@agentq/database';
import { divideRoundingHalfUp, formatNanoUsd, parseNanoUsd } from './nano-usd';

/**
 * List prices in USD per million tokens (input, output) by model family. A family covers its
 * dated and numbered variants (`gpt-4o-2024-08-06`, `claude-sonnet-4-20250514`, `-latest`) but not
 * named siblings (`o1-pro`, `gpt-4o-realtime-preview`): those stay unpriced until listed, rather
 * than silently priced as their cheaper namesake. Providers override per model.
 */
export const MODEL_PRICES: ModelPricing = {
  'gpt-5': { inputPerMillion: '1.25', outputPerMillion: '10' },
  'gpt-5-mini': { inputPerMillion: '0.25', outputPerMillion: '2' },
  'gpt-5-nano': { inputPerMillion: '0.05', outputPerMillion: '0.40' },
  'gpt-4.1': { inputPerMillion: '2', outputPerMillion: '8' },
  'gpt-4.1-mini': { inputPerMillion: '0.40', outputPerMillion: '1.60' },
  'gpt-4.1-nano': { inputPerMillion: '0.10', outputPerMillion: '0.40' },
  'gpt-4o': { inputPerMillion: '2.50', outputPerMillion: '10' },
  'gpt-4o-2024-05-13': { inputPerMillion: '5', outputPerMillion: '15' },
  'gpt-4o-mini': { inputPerMillion: '0.15', outputPerMillion: '0.60' },
  'gpt-4-turbo': { inputPerMillion: '10', outputPerMillion: '30' },
  'gpt-4': { inputPerMillion: '30', outputPerMillion: '60' },
  'gpt-3.5-turbo': { inputPerMillion: '0.50', outputPerMillion: '1.50' },
  o1: { inputPerMillion: '15', outputPerMillion: '60' },
  o3: { inputPerMillion: '2', outputPerMillion: '8' },
  'o3-mini': { inputPerMillion: '1.10', outputPerMillion: '4.40' },
  'o4-mini': { inputPerMillion: '1.10', outputPerMillion: '4.40' },
  'claude-opus-4-5': { inputPerMillion: '5', outputPerMillion: '25' },
  'claude-opus-4-1': { inputPerMillion: '15', outputPerMillion: '75' },
  'claude-opus-4': { inputPerMillion: '15', outputPerMillion: '75' },
  'claude-sonnet-4-5': { inputPerMillion: '3', outputPerMillion: '15' },
  'claude-sonnet-4': { inputPerMillion: '3', outputPerMillion: '15' },
  'claude-haiku-4-5': { inputPerMillion: '1', outputPerMillion: '5' },
  'claude-3-7-sonnet': { inputPerMillion: '3', outputPerMillion: '15' },
  'claude-3-5-sonnet': { inputPerMillion: '3', outputPerMillion: '15' },
  'claude-3-5-haiku': { inputPerMillion: '0.80', outputPerMillion: '4' },
  'claude-3-opus': { inputPerMillion: '15', outputPerMillion: '75' },
  'claude-3-haiku': { inputPerMillion: '0.25', outputPerMillion: '1.25' },
  // Embedding models: input tokens only.
  'text-embedding-3-small': { inputPerMillion: '0.02', outputPerMillion: '0' },
  'text-embedding-3-large': { inputPerMillion: '0.13', outputPerMillion: '0' },
  'text-embedding-ada-002': { inputPerMillion: '0.10', outputPerMillion: '0' },
  // The offline echo provider (echo, echo-1, echo-embedding, ...) costs nothing.
  echo: { inputPerMillion: '0', outputPerMillion: '0' },
  'echo-embedding': { inputPerMillion: '0', outputPerMillion: '0' },
};

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface CostResult {
  /** Exact USD with 9 fractional digits, for a numeric(20,9) column. */
  costUsd: string;
  /** False when no price is known for the model: the cost is then "0.000000000". */
  priced: boolean;
}

interface NanoPrice {
  input: bigint;
  output: bigint;
}

const TOKENS_PER_MILLION = 1_000_000n;

/** Exact cost of one call, priced from the provider's overrides first, then the list prices. */
export function computeCostUsd(
  usage: TokenUsage,
  model: string,
  overrides?: ModelPricing | null,
): CostResult {
  const price = findPrice(model, overrides ?? {}) ?? findPrice(model, MODEL_PRICES);
  if (!price) return { costUsd: formatNanoUsd(0n), priced: false };
  const nanoUsdPerMillionTokens =
    tokens(usage.promptTokens) * price.input + tokens(usage.completionTokens) * price.output;
  const nanoUsd = divideRoundingHalfUp(nanoUsdPerMillionTokens, TOKENS_PER_MILLION);
  return { costUsd: formatNanoUsd(nanoUsd), priced: true };
}

function tokens(count: number): bigint {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`a token count must be a non-negative integer, got ${count}`);
  }
  return BigInt(count);
}

// The longest matching family wins: gpt-4o-mini-2024-07-18 is gpt-4o-mini, not gpt-4o.
function findPrice(model: string, table: ModelPricing): NanoPrice | null {
  let best: { family: string; price: NanoPrice } | null = null;
  for (const [family, entry] of Object.entries(table)) {
    if (!isVariantOf(model, family) || (best && best.family.length >= family.length)) continue;
    const input = parseNanoUsd(entry.inputPerMillion);
    const output = parseNanoUsd(entry.outputPerMillion);
    // The API validates prices; one edited into the database by hand is skipped, not fatal.
    if (input !== null && output !== null) best = { family, price: { input, output } };
  }
  return best?.price ?? null;
}

const VERSION_SUFFIX = /^-(\d|latest$)/;

function isVariantOf(model: string, family: string): boolean {
  return (
    model === family ||
    (model.startsWith(family) && VERSION_SUFFIX.test(model.slice(family.length)))
  );
}
