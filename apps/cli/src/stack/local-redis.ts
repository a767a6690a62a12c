import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import Redis from 'ioredis';
import { ManagedProcess } from './managed-process';
import { waitFor } from './network';

export const REDIS_SERVER_MISSING = [
  'redis-server was not found on PATH. The stack needs Redis 6.2 or newer. Either install it:',
  '  Debian/Ubuntu:  sudo apt-get install redis-server',
  '  macOS:          brew install redis',
  'or point REDIS_URL at a Redis you already run, e.g.  REDIS_URL=redis://127.0.0.1:6379 npm start',
].join('\n');

/** The full path of an executable found on PATH, like `command -v`. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const directory of path.split(delimiter).filter(Boolean)) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export interface LocalRedisSettings {
  binary: string;
  dataDir: string;
  port: number;
}

/**
 * A redis-server child on 127.0.0.1 keeping its data in `dataDir`: append-only file on, and
 * `noeviction`, which BullMQ requires (an evicted job key is a lost job).
 */
export async function startLocalRedis(
  settings: LocalRedisSettings,
  track: (process: ManagedProcess) => void,
): Promise<{ process: ManagedProcess; url: string }> {
  mkdirSync(settings.dataDir, { recursive: true });
  const server = new ManagedProcess({
    name: 'redis',
    command: settings.binary,
    args: [
      '--port',
      String(settings.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      settings.dataDir,
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
    ],
  });
  track(server);
  const url = `redis://127.0.0.1:${settings.port}`;
  await waitFor(
    'redis-server did not start',
    async () => {
      const redis = new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        return (await redis.ping()) === 'PONG' ? true : undefined;
      } finally {
        redis.disconnect();
      }
    },
    {
      timeoutMs: 30_000,
      abort: () => (server.hasExited ? 'it exited; see the [redis] lines above' : undefined),
    },
  );
  return { process: server, url };
}
