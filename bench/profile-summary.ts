// `node dist/bench/profile-summary.js <file.cpuprofile> [top]`: where a V8 CPU profile (from
// BENCH_PROFILE=1) spent its time, by package / area and by function (self time).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<pkg> (scoped too), our code by top folder, node internals, or V8's own. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.startsWith('node:')) return 'node internals';
  const ours = /\/dist\/((?:apps|libs)\/[^/]+|bench)\//.exec(url);
  return ours ? ours[1] : url;
}

export function summarize(profile: CpuProfile, top = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + micros);
    const name = `${functionName || '(anonymous)'} ${area}${url ? `:${lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
  }
  const rank = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({
        name,
        ms: Math.round(micros / 1_000),
        percent: Math.round((micros / total) * 1_000) / 10,
      }));
  return { totalMs: Math.round(total / 1_000), areas: rank(areas), functions: rank(functions) };
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]');
    process.exit(2);
  }
  const summary = summarize(JSON.parse(readFileSync(file, 'utf8')), Number(top ?? 25));
  console.log(`total sampled: ${summary.totalMs} ms\n\nby area (self time):`);
  for (const row of summary.areas)
    console.log(`  ${String(row.percent).padStart(5)}%  ${row.name}`);
  console.log('\nby function (self time):');
  for (const row of summary.functions) {
    console.log(`  ${String(row.percent).padStart(5)}%  ${row.name}`);
  }
}
