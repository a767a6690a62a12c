import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisClient, RedisConnections } from '@agentq/redis';

@Injectable()
export class RedisHealthIndicator {
  private readonly redis: RedisClient;

  constructor(
    connections: RedisConnections,
    private readonly indicators: HealthIndicatorService,
  ) {
    this.redis = connections.commands;
  }

  async isHealthy(key: string) {
    const indicator = this.indicators.check(key);
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('ping timed out')), 1_000)),
      ]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
