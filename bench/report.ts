import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem, release, platform } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { BenchConfig } from './bench-config';
import { ScenarioResult } from './scenario';

export interface MachineDescription {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  redis: string;
  bullmq: string;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: MachineDescription;
  config: Omit<BenchConfig, 'adminDatabaseUrl' | 'redisUrl'>;
  scenarios: ScenarioResult[];
  /** Every scenario ran and passed its accounting checks. */
  ok: boolean;
}

export async function describeMachine(config: BenchConfig): Promise<MachineDescription> {
  const client = new Client({ connectionString: config.adminDatabaseUrl });
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  await client.end();
  const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const info = await redis.info('server');
  redis.disconnect();
  const gib = (bytes: number) => Math.round((bytes / 2 ** 30) * 10) / 10;
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    os: `${platform()} ${release()}`,
    node: process.version,
    postgres: rows[0].server_version,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    bullmq: (require('bullmq/package.json') as { version: string }).version,
  };
}

/** bench-results/<timestamp>.json and bench-results/latest.json. */
export function writeReport(report: BenchReport, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const file = join(outDir, `${stamp}.json`);
  const text = `${JSON.stringify(report, (_key, value) => (value === Number.POSITIVE_INFINITY ? 'Infinity' : value), 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(outDir, 'latest.json'), text);
  return file;
}

export const number = (value: number | string, digits = 0) =>
  // Infinity (a percentile on refused requests) is written to JSON as the string "Infinity".
  Number(value) === Number.POSITIVE_INFINITY
    ? '∞'
    : typeof value === 'number' && Number.isFinite(value)
      ? value.toLocaleString('en-US', {
          minimumFractionDigits: digits,
          maximumFractionDigits: digits,
        })
      : '–';

/** The human table: per scenario, each variant's median and min–max per metric, then ratios. */
export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const m = report.machine;
  lines.push(
    `agentq bench · ${m.cpus} × ${m.cpuModel} · ${m.memoryGiB} GiB · node ${m.node} · PostgreSQL ${m.postgres} · Redis ${m.redis} · BullMQ ${m.bullmq}`,
    `runs per measurement: ${report.config.runs} · cells are median (min–max)`,
    '',
  );
  for (const scenario of report.scenarios) {
    lines.push(`${scenario.ok ? '' : '[FAILED] '}${scenario.title}`);
    const header = ['', ...scenario.metrics.map((metric) => metric.label)];
    const rows = scenario.variants.map((variant) => [
      variant.label,
      ...scenario.metrics.map((metric) => {
        const s = variant.summary[metric.key];
        if (!s) return '–';
        const digits = metric.digits ?? 0;
        return `${number(s.median, digits)} (${number(s.min, digits)}–${number(s.max, digits)})`;
      }),
    ]);
    lines.push(...table([header, ...rows]).map((line) => `  ${line}`));
    for (const ratio of scenario.ratios) {
      const target = ratio.target
        ? `  target ${ratio.target}: ${ratio.met ? 'met' : 'NOT met'}`
        : '';
      lines.push(`  ${ratio.name}: ${number(ratio.value, 2)}${target}`);
    }
    const failures = scenario.variants.flatMap((variant) =>
      variant.runs
        .filter((run) => run.error || (run.accounting && !run.accounting.ok))
        .map(
          (run) =>
            `  ! ${variant.label} run ${run.run}: ${
              run.error?.split('\n')[0] ?? 'accounting drift (rollups differ from the rows)'
            }`,
        ),
    );
    lines.push(...failures, '');
  }
  lines.push(report.ok ? 'all scenarios passed their accounting checks' : 'SOME SCENARIOS FAILED');
  return lines.join('\n');
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  '),
  );
}
