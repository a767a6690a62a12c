#!/usr/bin/env node
// `npm test`: on the project's Node.js line (.nvmrc), make sure PostgreSQL and Redis answer
// (starting the local ones if needed), then run the unit layer (seconds: fails fast), lint, type-check and build side by side (none needs
// another), then the integration and e2e layers. With arguments or TEST_LAYERS set (see
// jest.config.js), only jest runs, with those. docs/testing.md says where the time goes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const databaseUrl = new URL(
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
);
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

function reachable(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const isLocal = (host) => ['127.0.0.1', 'localhost', '::1'].includes(host);

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

// For steps that run side by side: each one's output is printed whole when it ends.
// Jest loads the ES-module-only packages (NestJS 12) through Node's require(esm), which its
// module system reaches through vm modules.
function jest(args, env = {}) {
  const flags = ['--experimental-vm-modules', '--disable-warning=ExperimentalWarning'];
  return run(process.execPath, [...flags, 'node_modules/jest/bin/jest.js', ...args], env);
}

function runBuffered(name, command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)));
    const startedAt = performance.now();
    child.on('close', (code) => {
      const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
      console.log(`test: ${name} ${code === 0 ? 'passed' : 'failed'} (${seconds} s)`);
      process.stdout.write(Buffer.concat(output).toString());
      resolve(code ?? 1);
    });
  });
}

async function ensure(name, url, defaultPort, start) {
  const port = url.port || defaultPort;
  if (await reachable(url.hostname, port)) return;
  if (!isLocal(url.hostname)) throw new Error(`${name} at ${url.host} is not reachable`);
  console.log(`test: ${name} is not answering on ${url.hostname}:${port}; starting the local one`);
  start(port);
  for (let i = 0; i < 50; i += 1) {
    if (await reachable(url.hostname, port)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} did not come up on ${url.hostname}:${port}`);
}

// The suite proves the runtime it runs on: the line pinned in .nvmrc, nothing else.
function checkRuntime() {
  const line = readFileSync(new URL('../.nvmrc', import.meta.url), 'utf8')
    .trim()
    .split('.')[0];
  console.log(`test: Node.js ${process.version} (${process.execPath})`);
  if (process.versions.node.split('.')[0] !== line) {
    throw new Error(
      `Node.js ${process.version} is not the project's line (${line}, .nvmrc); run \`npm ci\` to install it`,
    );
  }
}

async function ensureServices() {
  await ensure('PostgreSQL', databaseUrl, 5432, () => {
    const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
    if (versions.length === 0) throw new Error('no local PostgreSQL cluster; set DATABASE_URL');
    run('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0], 'main', 'start']);
  });
  await ensure('Redis', redisUrl, 6379, (port) => {
    const status = run('redis-server', [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    if (status !== 0) throw new Error('redis-server is not installed; set REDIS_URL');
  });
}

// The console's browser tests (test/console.e2e-spec.ts) drive Debian's Chromium: installed here
// from the system packages when it is missing and this can (root with apt-get); otherwise they
// fail saying how (test/support/chromium.ts). Never skipped.
function ensureChromium() {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(chromium) || process.env.CHROMIUM_PATH) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return;
  console.log('test: Chromium is missing; apt-get install chromium');
  const install = () =>
    run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      DEBIAN_FRONTEND: 'noninteractive',
    });
  if (install() !== 0 && run('apt-get', ['update']) === 0) install();
}

async function main() {
  checkRuntime();
  // The unit layer alone needs neither PostgreSQL nor Redis, nor a browser.
  if (process.env.TEST_LAYERS !== 'unit') {
    await ensureServices();
    ensureChromium();
  }

  const jestArgs = process.argv.slice(2);
  if (jestArgs.length > 0 || process.env.TEST_LAYERS) {
    process.exit(jest(jestArgs));
  }

  const timings = [];
  const timed = async (name, step) => {
    const startedAt = performance.now();
    const status = await step();
    timings.push([name, (performance.now() - startedAt) / 1000, status]);
    return status;
  };
  const stopOnFailure = (status) => {
    if (status === 0) return;
    printTimings(timings);
    process.exit(status);
  };

  stopOnFailure(await timed('unit', () => jest([], { TEST_LAYERS: 'unit' })));
  const checks = await Promise.all(
    [
      ['lint', ['run', '--silent', 'lint']],
      ['typecheck', ['run', '--silent', 'typecheck']],
      ['build', ['run', '--silent', 'build']],
    ].map(([name, args]) => timed(name, () => runBuffered(name, 'npm', args))),
  );
  stopOnFailure(checks.find((status) => status !== 0) ?? 0);
  const layers = { TEST_LAYERS: 'integration,e2e' };
  stopOnFailure(await timed('integration + e2e', () => jest([], layers)));
  printTimings(timings);
}

function printTimings(timings) {
  const line = timings.map(
    ([name, seconds, status]) =>
      `${name} ${seconds.toFixed(1)} s${status === 0 ? '' : ' (failed)'}`,
  );
  console.log(`test: ${line.join(', ')}`);
}

main().catch((error) => {
  console.error(`test: ${error.message}`);
  process.exit(1);
});
