const swcConfig = JSON.parse(require('node:fs').readFileSync(`${__dirname}/.swcrc`, 'utf8'));

// Build output, local data and benchmark results are not source: without this the haste map
// scans dist/package.json and warns of a module naming collision with ./package.json.
const notSource = [
  '<rootDir>/dist/',
  '<rootDir>/.data/',
  '<rootDir>/coverage/',
  '<rootDir>/bench-results/',
];

const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', ...notSource],
  modulePathIgnorePatterns: notSource,
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcConfig, swcrc: false }],
    // The console's components (apps/console): TSX with React's automatic runtime.
    '^.+\\.tsx$': [
      '@swc/jest',
      {
        ...swcConfig,
        swcrc: false,
        jsc: {
          ...swcConfig.jsc,
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic' } },
        },
      },
    ],
  },
  moduleNameMapper: { '^@agentq/(.*)$': '<rootDir>/libs/$1/src' },
};

// Integration and e2e files share one template database, created and migrated once per run
// (jest runs a global setup module once, however many projects name it).
const withDatabase = {
  globalSetup: '<rootDir>/test/jest/global-setup.ts',
  globalTeardown: '<rootDir>/test/jest/global-teardown.ts',
};

const layers = [
  {
    ...shared,
    displayName: 'unit',
    // *.spec.tsx: the console's component specs, in a DOM (each names
    // test/jest/unit-dom-environment.js in its @jest-environment docblock).
    testRegex: '\\.spec\\.tsx?$',
    testEnvironment: '<rootDir>/test/jest/unit-environment.js',
    setupFilesAfterEnv: ['<rootDir>/test/jest/unit-setup.ts'],
  },
  { ...shared, ...withDatabase, displayName: 'integration', testRegex: '\\.int-spec\\.ts$' },
  { ...shared, ...withDatabase, displayName: 'e2e', testRegex: '\\.e2e-spec\\.ts$' },
];

// TEST_LAYERS=unit (or unit,integration) picks layers and still lets paths and -t follow on the
// command line, which `--selectProjects unit some/path` does not (it takes the path for a name).
const selected = process.env.TEST_LAYERS?.split(',').map((name) => name.trim());
const unknown = (selected ?? []).filter((name) => !layers.some((l) => l.displayName === name));
if (unknown.length > 0) throw new Error(`TEST_LAYERS: no layer named ${unknown.join(', ')}`);

/**
 * Three layers (docs/testing.md): `unit` needs nothing but node (no database, Redis or network:
 * test/jest/unit-environment.js refuses sockets), `integration` runs against real PostgreSQL and
 * Redis, `e2e` runs the API and workers as processes (test/faults included).
 * @type {import('jest').Config}
 */
module.exports = {
  projects: selected ? layers.filter((l) => selected.includes(l.displayName)) : layers,
  testTimeout: 60_000,
  // Three on CI's two cores: the e2e and fault files spend much of their time waiting on the
  // processes they start and on the timeouts they test, which a third file fills
  // (docs/testing.md, "Where the time goes").
  maxWorkers: 3,
};
