import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './free-port';
import { ChildHandle, sleep, startBinary } from './processes';

/**
 * A redis-server of the test's own, on its own port and data directory, configured as agentq
 * needs it in production (AOF on, noeviction). The shared Redis is never restarted.
 */
export class PrivateRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'agentq-faults-redis-'));
  private server: ChildHandle | null = null;
  private port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    this.server = startBinary('redis', 'redis-server', [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ]);
    await this.waitUntilAnswering();
  }

  /** The harshest stop: no shutdown save, at most the last second of AOF writes lost. */
  async kill(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.signal('SIGKILL');
    await server?.exited;
  }

  /** Forgets everything Redis had persisted: the next start is a Redis without its data. */
  wipeData(): void {
    for (const entry of readdirSync(this.dir)) {
      rmSync(join(this.dir, entry), { recursive: true, force: true });
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    await server?.stop(5_000);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.ping();
        return;
      } catch (error) {
        // Still loading the AOF, or not listening yet.
        if (Date.now() > deadline) throw error;
      } finally {
        client.disconnect();
      }
      await sleep(100);
    }
  }
}
