import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../faults/support/free-port';
import { ChildHandle, sleep, startBinary } from '../faults/support/processes';

const SLOTS = 16384;

/** Whether `redis-server` can be run here (the cluster test skips with a message otherwise). */
export function redisServerAvailable(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

interface ClusterNode {
  port: number;
  busPort: number;
  server: ChildHandle;
}

/**
 * A Redis Cluster of its own for one test: `masters` redis-server processes on free
 * 127.0.0.1 ports (client and bus ports both picked, so nothing collides with port + 10000),
 * the slots split evenly, joined with CLUSTER MEET. No redis-cli needed. `stop()` ends the
 * processes and removes their directory.
 */
export class LocalRedisCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'agentq-redis-cluster-'));
  private nodes: ClusterNode[] = [];

  get addresses(): string[] {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`);
  }

  async start(masters = 3): Promise<void> {
    for (let i = 0; i < masters; i += 1) {
      const port = await freePort();
      const busPort = await freePort();
      const server = startBinary(`redis-${port}`, 'redis-server', [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-port',
        String(busPort),
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        '5000',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ]);
      this.nodes.push({ port, busPort, server });
    }
    const clients = this.nodes.map((node) => new Redis(node.port, '127.0.0.1'));
    try {
      for (const client of clients) await this.waitFor(() => client.ping().then(() => true));
      const share = Math.ceil(SLOTS / masters);
      for (const [i, client] of clients.entries()) {
        const first = i * share;
        const last = Math.min(SLOTS, first + share) - 1;
        await client.call('CLUSTER', 'ADDSLOTSRANGE', first, last);
      }
      for (const node of this.nodes.slice(1)) {
        await clients[0].call('CLUSTER', 'MEET', '127.0.0.1', node.port, node.busPort);
      }
      for (const client of clients) {
        await this.waitFor(async () => {
          const info = String(await client.call('CLUSTER', 'INFO'));
          return /cluster_state:ok/.test(info) && info.includes(`cluster_known_nodes:${masters}`);
        });
      }
    } finally {
      for (const client of clients) client.disconnect();
    }
  }

  /** Every key on every master, by master port. */
  async keysByNode(): Promise<Map<number, string[]>> {
    const keys = new Map<number, string[]>();
    for (const node of this.nodes) {
      const client = new Redis(node.port, '127.0.0.1');
      try {
        keys.set(node.port, await client.keys('*'));
      } finally {
        client.disconnect();
      }
    }
    return keys;
  }

  /** The hash slot of each key, as the cluster computes it (CLUSTER KEYSLOT). */
  async keySlots(keys: string[]): Promise<number[]> {
    const client = new Redis(this.nodes[0].port, '127.0.0.1');
    try {
      return await Promise.all(
        keys.map(async (key) => Number(await client.call('CLUSTER', 'KEYSLOT', key))),
      );
    } finally {
      client.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.server.stop(5_000)));
    this.nodes = [];
    rmSync(this.dir, { recursive: true, force: true });
  }

  output(): string {
    return this.nodes
      .map((node) => `--- ${node.server.name}\n${node.server.tail(2_000)}`)
      .join('\n');
  }

  private async waitFor(probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await probe().catch(() => false)) return;
      if (Date.now() > deadline)
        throw new Error(`local Redis Cluster not ready:\n${this.output()}`);
      await sleep(100);
    }
  }
}

/**
 * One redis-server master and one Sentinel watching it (as `mymaster`), on free 127.0.0.1
 * ports in a directory of their own: enough to check that agentq finds its master through
 * Sentinel. `stop()` ends both and removes the directory.
 */
export class LocalRedisSentinel {
  readonly dir = mkdtempSync(join(tmpdir(), 'agentq-redis-sentinel-'));
  readonly masterName = 'mymaster';
  private servers: ChildHandle[] = [];
  private sentinelPort = 0;

  get sentinels(): string {
    return `127.0.0.1:${this.sentinelPort}`;
  }

  async start(): Promise<void> {
    const masterPort = await freePort();
    this.sentinelPort = await freePort();
    this.servers.push(
      startBinary('redis-master', 'redis-server', [
        '--port',
        String(masterPort),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ]),
    );
    // Sentinel rewrites its configuration file, so it gets one of its own.
    const config = join(this.dir, 'sentinel.conf');
    writeFileSync(
      config,
      [
        `port ${this.sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${this.masterName} 127.0.0.1 ${masterPort} 1`,
        '',
      ].join('\n'),
    );
    this.servers.push(startBinary('redis-sentinel', 'redis-server', [config, '--sentinel']));
    const sentinel = new Redis(this.sentinelPort, '127.0.0.1');
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const master = await sentinel
          .call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName)
          .catch(() => null);
        if (Array.isArray(master) && Number(master[1]) === masterPort) return;
        if (Date.now() > deadline) throw new Error('local Sentinel not ready');
        await sleep(100);
      }
    } finally {
      sentinel.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop(5_000)));
    this.servers = [];
    rmSync(this.dir, { recursive: true, force: true });
  }
}
