import { Injectable } from '@nestjs/common';
import { RedisClient } from './redis-client.factory';
import { RedisConnections } from './redis-connections';

/**
 * One pub/sub connection for every channel a process listens to (cancel requests, provider
 * pauses, ...): each subscription would otherwise hold a connection of its own.
 */
@Injectable()
export class ChannelListener {
  private readonly handlers = new Map<string, ((message: string) => void)[]>();
  private subscriber: RedisClient | null = null;

  constructor(private readonly connections: RedisConnections) {}

  /** Calls `handler` with each message published on `channel` from now on. */
  async listen(channel: string, handler: (message: string) => void): Promise<void> {
    if (!this.subscriber) {
      this.subscriber = this.connections.subscriber('channel listener');
      this.subscriber.on('message', (from: string, message: string) => {
        for (const handle of this.handlers.get(from) ?? []) handle(message);
      });
    }
    const handlers = this.handlers.get(channel);
    if (handlers) {
      handlers.push(handler);
      return;
    }
    this.handlers.set(channel, [handler]);
    await this.subscriber.subscribe(channel);
  }
}
