import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './support/child-process';

const JEST = join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

// `jest --listTests` for the given layers, with a cache of its own so the haste map is built anew.
function listTests(layers: string | undefined, cacheDirectory: string) {
  const result = spawnSync(
    process.execPath,
    [JEST, '--listTests', '--cacheDirectory', cacheDirectory],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...(layers ? { TEST_LAYERS: layers } : {}) },
    },
  );
  expect(result.status).toBe(0);
  // jest prints its haste map warnings on stdout, among the file names.
  const files = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('/') && line.endsWith('.ts'))
    .map((file) => relative(REPO_ROOT, file))
    .sort();
  return { files, output: result.stdout + result.stderr };
}

describe('jest layers', () => {
  const cacheDirectory = mkdtempSync(join(tmpdir(), 'agentq-jest-layers-'));
  afterAll(() => rmSync(cacheDirectory, { recursive: true, force: true }));

  it('puts every test file in exactly one layer, by its suffix', () => {
    const unit = listTests('unit', cacheDirectory).files;
    const integration = listTests('integration', cacheDirectory).files;
    const e2e = listTests('e2e', cacheDirectory).files;
    const all = listTests(undefined, cacheDirectory).files;

    expect(unit.length).toBeGreaterThan(0);
    expect(unit.every((file) => file.endsWith('.spec.ts'))).toBe(true);
    expect(integration.every((file) => file.endsWith('.int-spec.ts'))).toBe(true);
    expect(e2e.every((file) => file.endsWith('.e2e-spec.ts'))).toBe(true);
    expect(e2e.some((file) => file.startsWith('test/faults/'))).toBe(true);
    expect([...unit, ...integration, ...e2e].sort()).toEqual(all);
    expect(all.some((file) => file.startsWith('dist/'))).toBe(false);
  });

  it('keeps dist/ out of the haste map: no module naming collision after a build', () => {
    const dist = join(REPO_ROOT, 'dist');
    const distPackage = join(dist, 'package.json');
    const distExisted = existsSync(dist);
    const made = !existsSync(distPackage);
    if (made) {
      mkdirSync(dist, { recursive: true });
      writeFileSync(distPackage, JSON.stringify({ name: 'agentq' }));
    }
    try {
      const { output } = listTests(undefined, mkdtempSync(join(cacheDirectory, 'fresh-')));
      expect(output).not.toMatch(/Haste module naming collision/);
    } finally {
      if (made) rmSync(distExisted ? distPackage : dist, { recursive: true, force: true });
    }
  });
});
