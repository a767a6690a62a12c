import { QUEUES } from '@agentq/jobs';
import { QueueEvents } from 'bullmq';

/** Counts BullMQ `stalled` events on the executions queue: jobs whose worker lost them. */
export class StalledWatch {
  count = 0;
  private readonly events: QueueEvents;

  constructor(redisUrl: string, prefix: string) {
    this.events = new QueueEvents(QUEUES.executions, {
      connection: { url: redisUrl },
      prefix,
    });
    this.events.on('stalled', () => (this.count += 1));
    this.events.on('error', () => undefined);
  }

  ready(): Promise<void> {
    return this.events.waitUntilReady().then(() => undefined);
  }

  close(): Promise<void> {
    return this.events.close();
  }
}
