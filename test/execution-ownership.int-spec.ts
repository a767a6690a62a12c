import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// DESIGN.md: libs/executions is the only code that reads or writes agent_executions.
describe('the execution lifecycle has one owner', () => {
  it('no file under apps/ names the agent_executions table', () => {
    const offenders = sourceFiles(join(ROOT, 'apps'))
      .filter((file) => readFileSync(file, 'utf8').includes('agent_executions'))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it('no file outside libs/executions names the execution_steps table', () => {
    const owner = join(ROOT, 'libs', 'executions');
    const offenders = [join(ROOT, 'apps'), join(ROOT, 'libs')]
      .flatMap(sourceFiles)
      .filter((file) => !file.startsWith(owner) && !file.endsWith('accounting-check.ts'))
      .filter((file) => readFileSync(file, 'utf8').includes('execution_steps'))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it('no file outside libs/usage names the budget tables', () => {
    const owner = join(ROOT, 'libs', 'usage');
    const offenders = [join(ROOT, 'apps'), join(ROOT, 'libs')]
      .flatMap(sourceFiles)
      .filter((file) => !file.startsWith(owner))
      .filter((file) => /budget_(counters|reservations)/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });
});
