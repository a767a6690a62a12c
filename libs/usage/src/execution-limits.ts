import { formatNanoUsd, parseNanoUsd } from './nano-usd';

/** What an execution has used so far, summed over its model steps. */
export interface ExecutionSpend {
  promptTokens: number;
  completionTokens: number;
  /** USD, decimal string. */
  costUsd: string;
}

/** Caps across all of an execution's model steps; null where none is set. */
export interface ExecutionCaps {
  /** USD, decimal string. */
  maxCostUsd: string | null;
  /** Prompt + completion tokens. */
  maxTokens: number | null;
}

export interface ExecutionLimitBreach {
  code: 'cost_limit_exceeded';
  message: string;
}

/**
 * Whether the caps stop the execution. After a model step, spend over a cap fails it, final
 * answer or not; before a model call, a cap already reached starts nothing more (the next call
 * could only go past it). Money is compared in billionths of a dollar, never as floats.
 */
export function executionLimitBreach(
  spend: ExecutionSpend,
  caps: ExecutionCaps,
  moment: 'after-step' | 'before-call',
): ExecutionLimitBreach | null {
  const stopsAt = (used: bigint, cap: bigint) =>
    moment === 'after-step' ? used > cap : used >= cap;
  const tokens = spend.promptTokens + spend.completionTokens;
  if (caps.maxTokens !== null && stopsAt(BigInt(tokens), BigInt(caps.maxTokens))) {
    return {
      code: 'cost_limit_exceeded',
      message: `${tokens} tokens used, the execution's maxTokens is ${caps.maxTokens}`,
    };
  }
  const cap = caps.maxCostUsd === null ? null : parseNanoUsd(caps.maxCostUsd);
  const used = parseNanoUsd(spend.costUsd) ?? 0n;
  if (cap !== null && stopsAt(used, cap)) {
    return {
      code: 'cost_limit_exceeded',
      message: `USD ${spend.costUsd} spent, the execution's maxCostUsd is ${caps.maxCostUsd}`,
    };
  }
  return null;
}

/** The sum of steps' usage, cost added exactly. */
export function sumSpend(steps: readonly ExecutionSpend[]): ExecutionSpend {
  let nano = 0n;
  let promptTokens = 0;
  let completionTokens = 0;
  for (const step of steps) {
    nano += parseNanoUsd(step.costUsd) ?? 0n;
    promptTokens += step.promptTokens;
    completionTokens += step.completionTokens;
  }
  return { promptTokens, completionTokens, costUsd: formatNanoUsd(nano) };
}
