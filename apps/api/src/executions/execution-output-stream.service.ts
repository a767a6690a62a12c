import { Injectable, Logger } from '@nestjs/common';
import { AgentExecution, TERMINAL_STATUSES } from '@agentq/database';
import {
  EXECUTION_STREAM_FIELD,
  EXECUTION_STREAM_TERMINAL_TYPES,
  ExecutionStreamEvent,
  executionStreamKey,
  ExecutionStreamTerminal,
} from '@agentq/executions';
import { TERMINAL_EVENT_TYPES } from '@agentq/jobs';
import { RedisClient, RedisConnections } from '@agentq/redis';
import { EventStream } from '../common/event-stream';
import { ExecutionEventStream } from './execution-event-stream.service';
import { ExecutionReader } from './execution-reader.service';

// How often an idle stream is read again: the latency a delta may add, per connected client.
const POLL_MS = 100;
// Read less often after this long without events (a queued or delayed execution)...
const QUIET_AFTER_MS = 5_000;
// ...until a lifecycle event of the execution (it started) or an entry wakes it up.
const QUIET_POLL_MS = 1_000;
const ENTRIES_PER_READ = 1_000;

interface StreamEntry {
  id: string;
  event: ExecutionStreamEvent;
}

/**
 * Replays an execution's Redis stream from the start (or after Last-Event-ID) and follows it
 * until its terminal event. Reads do not block a connection: an idle stream is polled. When the
 * execution ended without a terminal entry in the stream (cancelled while queued, failed by the
 * reconciler, or read after the stream expired), the terminal event comes from the row.
 */
@Injectable()
export class ExecutionOutputStream {
  private readonly logger = new Logger(ExecutionOutputStream.name);
  private readonly redis: RedisClient;

  constructor(
    private readonly connections: RedisConnections,
    private readonly lifecycle: ExecutionEventStream,
    private readonly reader: ExecutionReader,
  ) {
    this.redis = connections.commands;
  }

  async pipe(
    tenantId: string,
    execution: AgentExecution,
    lastEventId: string | null,
    stream: EventStream,
  ): Promise<void> {
    let ended = TERMINAL_STATUSES.includes(execution.status);
    let wake = () => undefined as void;
    let lastActivity = Date.now();
    const unlisten = this.lifecycle.listen(execution.id, (event) => {
      if (TERMINAL_EVENT_TYPES.includes(event.type)) ended = true;
      lastActivity = Date.now();
      wake();
    });
    stream.onClose(() => wake());
    let after = lastEventId && /^\d+-\d+$/.test(lastEventId) ? lastEventId : '0';
    try {
      while (!stream.closed) {
        // Taken before reading: a lifecycle event comes after the stream's terminal entry.
        const endedBeforeRead = ended;
        const entries = await this.read(execution.id, after);
        for (const { id, event } of entries) {
          stream.send({ id, event: event.type, data: event });
          after = id;
          if (EXECUTION_STREAM_TERMINAL_TYPES.includes(event.type)) return;
        }
        if (entries.length > 0) {
          lastActivity = Date.now();
          continue;
        }
        if (endedBeforeRead) {
          const event = terminalEventOf(await this.reader.get(tenantId, execution.id));
          stream.send({ event: event.type, data: event });
          return;
        }
        await new Promise<void>((resolve) => {
          const quiet = Date.now() - lastActivity > QUIET_AFTER_MS;
          const timer = setTimeout(resolve, quiet ? QUIET_POLL_MS : POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } catch (error) {
      // The client reconnects with Last-Event-ID and resumes where it was.
      this.logger.warn(
        `execution ${execution.id}: output stream ended: ${(error as Error).message}`,
      );
    } finally {
      unlisten();
      stream.end();
    }
  }

  private async read(executionId: string, after: string): Promise<StreamEntry[]> {
    const answer = await this.redis.xread(
      'COUNT',
      ENTRIES_PER_READ,
      'STREAMS',
      executionStreamKey(this.connections, executionId),
      after,
    );
    const entries = answer?.[0]?.[1] ?? [];
    return entries.map(([id, fields]) => ({
      id,
      event: JSON.parse(fields[fields.indexOf(EXECUTION_STREAM_FIELD) + 1]),
    }));
  }
}

// The terminal event as the (terminal) row has it.
function terminalEventOf(row: AgentExecution): ExecutionStreamEvent {
  const type = row.status as ExecutionStreamTerminal;
  return { type, attempt: row.attempts, output: row.output, error: row.error };
}
