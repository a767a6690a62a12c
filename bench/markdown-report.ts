// `node dist/bench/markdown-report.js [bench-results/latest.json]`: the report as Markdown
// tables, for docs/benchmarks.md.
import { readFileSync } from 'node:fs';
import { BenchReport, number } from './report';

export function formatMarkdown(report: BenchReport): string {
  const lines: string[] = [];
  for (const scenario of report.scenarios) {
    lines.push(`**${scenario.title}**${scenario.ok ? '' : ' (FAILED)'}`, '');
    lines.push(`| | ${scenario.metrics.map((m) => m.label).join(' | ')} |`);
    lines.push(`|---|${scenario.metrics.map(() => '---:').join('|')}|`);
    for (const variant of scenario.variants) {
      const cells = scenario.metrics.map((metric) => {
        const s = variant.summary[metric.key];
        if (!s) return '–';
        const digits = metric.digits ?? 0;
        return `${number(s.median, digits)} (${number(s.min, digits)}–${number(s.max, digits)})`;
      });
      lines.push(`| ${variant.label} | ${cells.join(' | ')} |`);
    }
    lines.push('');
    for (const ratio of scenario.ratios) {
      const target = ratio.target
        ? ` — target ${ratio.target}: ${ratio.met ? 'met' : '**not met**'}`
        : '';
      lines.push(`- ${ratio.name}: **${number(ratio.value, 2)}**${target}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2] ?? 'bench-results/latest.json';
  process.stdout.write(formatMarkdown(JSON.parse(readFileSync(file, 'utf8')) as BenchReport));
}
