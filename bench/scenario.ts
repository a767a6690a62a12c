import { loadavg } from 'node:os';
import { spread, Spread } from './stats';

/** Every scenario's last column: the machine's 1-minute load average when the run ended. */
export const LOAD_METRIC: MetricSpec = { key: 'loadAverage', label: 'load avg', digits: 1 };

export interface MetricSpec {
  key: string;
  label: string;
  /** Digits after the decimal point in the table. */
  digits?: number;
}

export interface AccountingResult {
  checked: boolean;
  ok: boolean;
  drift?: unknown;
}

/** One measurement of one variant. */
export interface RunRecord {
  run: number;
  values: Record<string, number>;
  details?: Record<string, unknown>;
  accounting?: AccountingResult;
  error?: string;
}

export interface VariantDefinition {
  name: string;
  label: string;
  measure(run: number): Promise<Omit<RunRecord, 'run'>>;
}

export interface RatioResult {
  name: string;
  value: number;
  /** The target, where there is one, e.g. ">= 0.8". */
  target?: string;
  met?: boolean;
}

export interface ScenarioDefinition {
  id: string;
  title: string;
  metrics: MetricSpec[];
  variants: VariantDefinition[];
  ratios(median: (variant: string, metric: string) => number): RatioResult[];
}

export interface VariantResult {
  name: string;
  label: string;
  runs: RunRecord[];
  summary: Record<string, Spread>;
}

export interface ScenarioResult {
  id: string;
  title: string;
  metrics: MetricSpec[];
  variants: VariantResult[];
  ratios: RatioResult[];
  /** Every run finished and every accounting check passed. */
  ok: boolean;
}

export function ratio(
  name: string,
  value: number,
  target?: { atLeast?: number; atMost?: number; text: string },
): RatioResult {
  if (!target) return { name, value };
  const met =
    Number.isFinite(value) &&
    (target.atLeast === undefined || value >= target.atLeast) &&
    (target.atMost === undefined || value <= target.atMost);
  return { name, value, target: target.text, met };
}

/**
 * Runs every variant `runs` times, interleaved and rotated (A B C, B C A, C A B, ...) so that
 * a noisy neighbour or a warming cache hurts every variant alike, never one alone.
 */
export async function runScenario(
  definition: ScenarioDefinition,
  runs: number,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  if (!definition.metrics.some((metric) => metric.key === LOAD_METRIC.key)) {
    definition.metrics = [...definition.metrics, LOAD_METRIC];
  }
  const records = new Map<string, RunRecord[]>(definition.variants.map((v) => [v.name, []]));
  for (let run = 1; run <= runs; run += 1) {
    const shift = (run - 1) % definition.variants.length;
    const order = [...definition.variants.slice(shift), ...definition.variants.slice(0, shift)];
    for (const variant of order) {
      const startedAt = Date.now();
      let record: RunRecord;
      try {
        const measured = await variant.measure(run);
        record = { run, ...measured, values: { ...measured.values, loadAverage: loadavg()[0] } };
      } catch (error) {
        record = { run, values: {}, error: (error as Error).stack ?? String(error) };
      }
      records.get(variant.name)!.push(record);
      log(describeRun(definition, variant, record, Date.now() - startedAt));
    }
  }
  const variants = definition.variants.map((variant) => {
    const runsOf = records.get(variant.name)!;
    const summary: Record<string, Spread> = {};
    for (const metric of definition.metrics) {
      const values = runsOf.filter((r) => !r.error).map((r) => r.values[metric.key]);
      if (values.some((value) => value !== undefined)) {
        summary[metric.key] = spread(values.filter((value) => value !== undefined));
      }
    }
    return { name: variant.name, label: variant.label, runs: runsOf, summary };
  });
  const median = (variant: string, metric: string) =>
    variants.find((v) => v.name === variant)?.summary[metric]?.median ?? Number.NaN;
  const ok = variants.every((v) =>
    v.runs.every((r) => !r.error && (r.accounting === undefined || r.accounting.ok)),
  );
  return {
    id: definition.id,
    title: definition.title,
    metrics: definition.metrics,
    variants,
    ratios: definition.ratios(median),
    ok,
  };
}

function describeRun(
  definition: ScenarioDefinition,
  variant: VariantDefinition,
  record: RunRecord,
  elapsedMs: number,
): string {
  const head = `  ${definition.id} · ${variant.label} · run ${record.run}`;
  if (record.error) return `${head}: FAILED\n${indent(record.error)}`;
  const values = definition.metrics
    .filter((m) => record.values[m.key] !== undefined)
    .map((m) => `${m.label} ${record.values[m.key].toFixed(m.digits ?? 0)}`)
    .join(', ');
  const accounting = record.accounting
    ? record.accounting.ok
      ? ', accounting ok'
      : ', ACCOUNTING DRIFT'
    : '';
  return `${head}: ${values}${accounting} (${(elapsedMs / 1_000).toFixed(1)} s)`;
}

const indent = (text: string) =>
  text
    .split('\n')
    .slice(0, 30)
    .map((line) => `      ${line}`)
    .join('\n');
