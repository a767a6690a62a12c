import { ServerResponse } from 'node:http';
import { FastifyReply, FastifyRequest } from 'fastify';

// Comments keep proxies and load balancers from cutting a quiet stream.
const HEARTBEAT_MS = 15_000;

/** One Server-Sent Event: `data` is sent as JSON; no `id` for an event a client cannot resume after. */
export interface ServerSentEvent {
  id?: string | number;
  event: string;
  data: unknown;
}

/**
 * A Server-Sent Events stream on a hijacked reply: framing, heartbeat and close handling for
 * every stream the API serves. It closes once, whether the client went away or the server
 * ended it, and runs the cleanups registered with `onClose` then.
 */
export class EventStream {
  private isClosed = false;
  private readonly cleanups: (() => void)[] = [];
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    private readonly response: ServerResponse,
    request: FastifyRequest,
  ) {
    this.heartbeat = setInterval(() => this.comment('keep-alive'), HEARTBEAT_MS);
    const close = () => this.end();
    request.raw.on('close', close);
    response.on('close', close);
  }

  /**
   * Takes the reply over from Fastify (nothing is sent for the handler's return value) and opens
   * the stream: headers out now, proxies told not to buffer.
   */
  static open(request: FastifyRequest, reply: FastifyReply): EventStream {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    return new EventStream(reply.raw, request);
  }

  /** The `Last-Event-ID` a reconnecting client sent, if any. */
  static lastEventId(request: FastifyRequest): string | null {
    const header = request.headers['last-event-id'];
    return typeof header === 'string' ? header : null;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  send({ id, event, data }: ServerSentEvent): void {
    if (this.isClosed) return;
    const idLine = id === undefined ? '' : `id: ${id}\n`;
    this.response.write(`${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** A comment line: clients ignore it; it flushes headers and keeps the connection busy. */
  comment(text: string): void {
    if (!this.isClosed) this.response.write(`: ${text}\n\n`);
  }

  /** Runs `cleanup` when the stream closes (at once if it has). */
  onClose(cleanup: () => void): void {
    if (this.isClosed) cleanup();
    else this.cleanups.push(cleanup);
  }

  end(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    clearInterval(this.heartbeat);
    for (const cleanup of this.cleanups) cleanup();
    this.response.end();
  }
}
