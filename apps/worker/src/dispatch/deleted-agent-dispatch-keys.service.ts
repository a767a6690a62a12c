import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MAINTENANCE_DATA_SOURCE } from '@agentq/database';
import { RedisClient, RedisConnections } from '@agentq/redis';
import { Cluster } from 'ioredis';
import { DataSource } from 'typeorm';
import { agentDispatchKeysPattern, agentOfDispatchKey } from './agent-dispatch-keys';

const SCAN_COUNT = 1_000;

/**
 * An agent's slots and parked line outlive the agent: nothing releases or wakes them once it is
 * deleted. This finds the dispatch keys of agents that no longer exist and deletes them.
 */
@Injectable()
export class DeletedAgentDispatchKeys {
  private readonly redis: RedisClient;
  private readonly prefix: string;

  constructor(
    connections: RedisConnections,
    @InjectDataSource(MAINTENANCE_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    this.redis = connections.queues;
    this.prefix = connections.prefix;
  }

  /** Returns how many keys were deleted. */
  async deleteKeysOfDeletedAgents(): Promise<number> {
    const keysByAgent = new Map<string, string[]>();
    for (const key of await this.scanDispatchKeys()) {
      const agentId = agentOfDispatchKey(key);
      if (agentId) keysByAgent.set(agentId, [...(keysByAgent.get(agentId) ?? []), key]);
    }
    if (keysByAgent.size === 0) return 0;
    const existing: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM agents WHERE id = ANY($1::uuid[])`,
      [[...keysByAgent.keys()]],
    );
    for (const { id } of existing) keysByAgent.delete(id);
    let deleted = 0;
    // One agent's keys share a hash slot: one DEL each, on a Redis Cluster too.
    for (const keys of keysByAgent.values()) deleted += await this.redis.del(...keys);
    return deleted;
  }

  private async scanDispatchKeys(): Promise<string[]> {
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    const pattern = agentDispatchKeysPattern(this.prefix);
    const keys: string[] = [];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        keys.push(...found);
        cursor = next;
      } while (cursor !== '0');
    }
    return keys;
  }
}
