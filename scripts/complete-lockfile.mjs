#!/usr/bin/env node
// Adds lockfile entries for optional platform packages (other OSes' native binaries) that npm
// left out because the registry it used did not serve them. Without them `npm ci` refuses the
// lockfile ("Missing: @swc/core-darwin-arm64@ from lock file") even though it would skip those
// packages on this platform anyway. Run after `npm install` changes package-lock.json.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const added = [];
for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || !/^\d+\.\d+\.\d+/.test(version)) continue;
    lock.packages[key] = { version, ...(entry.dev ? { dev: true } : {}), optional: true };
    added.push(`${name}@${version}`);
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added.length} optional platform package(s) recorded`);
