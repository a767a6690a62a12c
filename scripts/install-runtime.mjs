#!/usr/bin/env node
// postinstall: agentq runs on the Node.js line named in .nvmrc. A machine whose own Node.js is
// of that line uses it as it is. On any other machine this fetches the official build of the
// pinned version from the npm registry (the node-<platform>-<arch> packages) once, keeps it in
// .runtime/ (outside node_modules, so a later `npm ci` does not fetch it again), and links it as
// node_modules/.bin/node: npm puts that folder first on the PATH of every script, so
// `npm test`, `npm start` and everything they spawn run on it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pinned = readFileSync(path.join(root, '.nvmrc'), 'utf8').trim();
const line = pinned.split('.')[0];
const link = path.join(root, 'node_modules', '.bin', 'node');

function removeLink() {
  rmSync(link, { force: true });
}

// A later `npm install` runs this on the linked runtime itself (the link is first on the PATH),
// and npm has by then removed the link: that is not a machine of the project's line.
const onLinkedRuntime = process.execPath.startsWith(path.join(root, '.runtime') + path.sep);
if (process.versions.node.split('.')[0] === line && !onLinkedRuntime) {
  removeLink();
  console.log(`runtime: Node.js ${process.version} is the project's line (${line}); using it`);
  process.exit(0);
}

const platformPackage = `node-${process.platform}-${process.arch}`;
const prefix = path.join(root, '.runtime', `node-v${pinned}-${process.platform}-${process.arch}`);
const binary = path.join(prefix, 'node_modules', platformPackage, 'bin', 'node');

if (!existsSync(binary)) {
  console.log(
    `runtime: Node.js ${process.version} is not the project's line (${line}); ` +
      `fetching ${platformPackage}@${pinned} from the npm registry into ${path.relative(root, prefix)}`,
  );
  mkdirSync(prefix, { recursive: true });
  const npm = process.env.npm_execpath
    ? [process.execPath, [process.env.npm_execpath]]
    : ['npm', []];
  const result = spawnSync(
    npm[0],
    [
      ...npm[1],
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-package-lock',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      `${platformPackage}@${pinned}`,
    ],
    { stdio: 'inherit' },
  );
  if (result.status !== 0 || !existsSync(binary)) {
    console.error(`runtime: could not install ${platformPackage}@${pinned}`);
    process.exit(1);
  }
}

removeLink();
mkdirSync(path.dirname(link), { recursive: true });
symlinkSync(path.relative(path.dirname(link), binary), link);
const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`runtime: npm scripts run on Node.js ${version} (${path.relative(root, binary)})`);
