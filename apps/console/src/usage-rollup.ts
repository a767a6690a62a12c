import { sumUsd } from './format';

/** The additive figures of a /v1/usage row. */
export interface UsageFigures {
  executions: number;
  succeeded: number;
  failed: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: string;
}

/**
 * Rows of a finer grouping (say day × agent × model) summed into a coarser one (agent), costs
 * added as exact decimals: one /v1/usage read then answers every table of the page.
 */
export function rollUp<Row extends UsageFigures>(
  rows: readonly Row[],
  keyOf: (row: Row) => string,
): (UsageFigures & { key: string })[] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = keyOf(row);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups].map(([key, members]) => ({
    key,
    executions: total(members, 'executions'),
    succeeded: total(members, 'succeeded'),
    failed: total(members, 'failed'),
    promptTokens: total(members, 'promptTokens'),
    completionTokens: total(members, 'completionTokens'),
    totalTokens: total(members, 'totalTokens'),
    costUsd: sumUsd(members.map((row) => row.costUsd)),
  }));
}

function total(rows: readonly UsageFigures[], field: Exclude<keyof UsageFigures, 'costUsd'>) {
  return rows.reduce((sum, row) => sum + row[field], 0);
}

/** Largest cost first (exact decimal comparison), then by key. */
export function byCostDescending<Row extends { key: string; costUsd: string }>(
  rows: readonly Row[],
): Row[] {
  return [...rows].sort((a, b) => {
    const diff = sumUsd([b.costUsd, `-${a.costUsd}`]);
    return diff.startsWith('-') ? -1 : /^[0.]+$/.test(diff) ? a.key.localeCompare(b.key) : 1;
  });
}
