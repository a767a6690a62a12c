#!/usr/bin/env node
// `npm test`: make sure PostgreSQL and Redis answer (starting the local ones if needed),
// then lint, type-check, build and run every jest suite on the project's Node.js line. Extra
// arguments go to jest alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';

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

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  return result.status ?? 1;
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

async function main() {
  checkRuntime();
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

  const jestArgs = process.argv.slice(2);
  const steps =
    jestArgs.length > 0
      ? []
      : [
          ['npm', ['run', '--silent', 'lint']],
          ['npm', ['run', '--silent', 'typecheck']],
          ['npm', ['run', '--silent', 'build']],
        ];
  // Jest loads the ES-module-only packages (NestJS 12) through Node's require(esm), which its
  // module system reaches through vm modules.
  steps.push([
    process.execPath,
    [
      '--experimental-vm-modules',
      '--disable-warning=ExperimentalWarning',
      'node_modules/jest/bin/jest.js',
      ...jestArgs,
    ],
  ]);
  for (const [command, args] of steps) {
    const status = run(command, args);
    if (status !== 0) process.exit(status);
  }
}

main().catch((error) => {
  console.error(`test: ${error.message}`);
  process.exit(1);
});
