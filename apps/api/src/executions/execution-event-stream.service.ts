import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { channels, ExecutionEvent, TERMINAL_EVENT_TYPES } from '@agentq/jobs';
import { RedisClient, RedisConnections } from '@agentq/redis';

type Listener = (event: ExecutionEvent) => void;

/** One Redis subscription per API process, fanned out in memory to SSE clients and waiters. */
@Injectable()
export class ExecutionEventStream implements OnModuleInit {
  private readonly logger = new Logger(ExecutionEventStream.name);
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly tenantListeners = new Map<string, Set<Listener>>();
  private readonly subscriber: RedisClient;
  private readonly channel: string;

  constructor(connections: RedisConnections) {
    this.subscriber = connections.subscriber('event subscriber');
    this.channel = channels.executionEvents(connections.prefix);
  }

  async onModuleInit() {
    this.subscriber.on('message', (_channel: string, message: string) => this.dispatch(message));
    // Not awaited: the API must start (and answer 503 on submissions) even while Redis is down.
    this.subscriber
      .connect()
      .then(() => this.subscriber.subscribe(this.channel))
      .catch((error: Error) => this.logger.warn(`event subscriber: ${error.message}`));
  }

  listen(executionId: string, listener: Listener): () => void {
    return addListener(this.listeners, executionId, listener);
  }

  /** Every event of the tenant's executions (the console's live Runs page). */
  listenTenant(tenantId: string, listener: Listener): () => void {
    return addListener(this.tenantListeners, tenantId, listener);
  }

  /**
   * Resolves when a terminal or `requires_action` event arrives (the client has something to
   * read or to do) or the time is up, whichever is first.
   */
  waitUntilSettled(
    executionId: string,
    timeoutMs: number,
  ): { done: Promise<void>; cancel: () => void } {
    let stop = () => undefined as void;
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      const unlisten = this.listen(executionId, (event) => {
        if (event.type === 'requires_action' || TERMINAL_EVENT_TYPES.includes(event.type)) finish();
      });
      function finish() {
        clearTimeout(timer);
        unlisten();
        resolve();
      }
      stop = finish;
    });
    return { done, cancel: () => stop() };
  }

  private dispatch(message: string) {
    let event: ExecutionEvent;
    try {
      event = JSON.parse(message);
    } catch {
      return;
    }
    for (const listener of this.listeners.get(event.executionId) ?? []) listener(event);
    for (const listener of this.tenantListeners.get(event.tenantId) ?? []) listener(event);
  }
}

function addListener(map: Map<string, Set<Listener>>, key: string, listener: Listener) {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) map.delete(key);
  };
}
