import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status code the receiver answered (set once it answers). */
  answered?: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedDelivery[];
  close(): Promise<void>;
}

export interface WebhookReceiverOptions {
  /** Answered in turn to the first requests; then `otherwise`. */
  statuses?: number[];
  otherwise?: number;
  /** The status of the n-th request (0-based), before `statuses` and `otherwise`. */
  answer?: (n: number) => number | undefined;
  /** How long each answer is held back. */
  holdMs?: number;
}

/** A webhook endpoint on 127.0.0.1 (a real socket) that records what it receives. */
export async function startWebhookReceiver(
  options: WebhookReceiverOptions = {},
): Promise<WebhookReceiver> {
  const statuses = [...(options.statuses ?? [])];
  const received: ReceivedDelivery[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const delivery: ReceivedDelivery = { headers: request.headers, body };
      const status = options.answer?.(received.length) ?? statuses.shift() ?? options.otherwise;
      received.push(delivery);
      setTimeout(() => {
        delivery.answered = status ?? 200;
        response.statusCode = delivery.answered;
        response.end('ok');
      }, options.holdMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close() {
      // The sender keeps connections alive: drop them, or close() waits for their timeout.
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/**
 * Receivers for a describe block, every one closed after each test, passed or failed. Call it
 * in the describe's body (it registers an afterEach).
 */
export function webhookReceivers(): (options?: WebhookReceiverOptions) => Promise<WebhookReceiver> {
  const open: WebhookReceiver[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((receiver) => receiver.close()));
  });
  return async (options) => {
    const receiver = await startWebhookReceiver(options);
    open.push(receiver);
    return receiver;
  };
}

/** The receiver's check, written from the Standard Webhooks spec, independent of agentq's code. */
export function verifyWebhookSignature(
  secret: string,
  headers: IncomingHttpHeaders,
  body: string,
): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
  const expected = createHmac('sha256', key).update(signed).digest();
  return String(headers['webhook-signature'])
    .split(' ')
    .map((entry) => Buffer.from(entry.split(',')[1] ?? '', 'base64'))
    .some(
      (candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected),
    );
}
