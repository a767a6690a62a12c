import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { RedisClient, RedisConnections } from '@agentq/redis';
import { ServiceUnavailableError } from '../common/api-errors';
import { ApiKeyCache } from './api-key-cache';

export const apiKeyRevocationsChannel = (prefix: string) => `${prefix}:control:api-key-revoked`;

/**
 * Carries revocations between API processes over Redis pub/sub: each process drops a revoked
 * key from its cache as the message arrives. The cache is told whether the subscription is
 * live, and while it is not it reuses nothing older than a second.
 */
@Injectable()
export class ApiKeyRevocations implements OnModuleInit {
  private readonly logger = new Logger(ApiKeyRevocations.name);
  private readonly subscriber: RedisClient;
  private readonly publisher: RedisClient;
  private readonly channel: string;

  constructor(
    connections: RedisConnections,
    private readonly cache: ApiKeyCache,
  ) {
    // Subscribing again is done by hand on every 'ready', so the cache is told only once the
    // subscription is confirmed.
    this.subscriber = connections.subscriber('revocation subscriber', { autoResubscribe: false });
    this.publisher = connections.commands;
    this.channel = apiKeyRevocationsChannel(connections.prefix);
  }

  onModuleInit() {
    this.subscriber.on('message', (_channel: string, apiKeyId: string) =>
      this.cache.forgetKey(apiKeyId),
    );
    this.subscriber.on('close', () => this.cache.setSubscribed(false));
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(this.channel).then(
        () => this.cache.setSubscribed(true),
        (error: Error) => this.logger.warn(`revocation subscriber: ${error.message}`),
      );
    });
    // Not awaited: the API starts while Redis is down, authenticating from PostgreSQL.
    this.subscriber
      .connect()
      .catch((error: Error) => this.logger.warn(`revocations: ${error.message}`));
  }

  /**
   * Drops the key here at once and tells every other API process. The revocation is already
   * committed when this fails; the 503 asks the client to repeat it (revoking again is harmless).
   */
  async announce(apiKeyId: string): Promise<void> {
    this.cache.forgetKey(apiKeyId);
    try {
      await this.publisher.publish(this.channel, apiKeyId);
    } catch (error) {
      this.logger.warn(
        `API key ${apiKeyId}: revocation not announced (${(error as Error).message})`,
      );
      throw new ServiceUnavailableError(
        'the key is revoked, but other API processes could not be told; repeat the request',
      );
    }
  }
}
