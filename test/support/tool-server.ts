import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from './webhook-receiver';

/** One call an http tool server received. */
export interface ToolServerCall {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: {
    executionId: string;
    agentId: string;
    toolCallId: string;
    name: string;
    arguments: unknown;
  };
  /** Whether the Standard Webhooks signature checked out against the secret set. */
  signatureValid: boolean;
}

export interface ToolAnswer {
  status?: number;
  body?: string;
  delayMs?: number;
}

export interface ToolServer {
  url: string;
  calls: ToolServerCall[];
  /** The tenant's tool signing secret the signatures are checked against. */
  secret: string | null;
  /** Most calls in flight at once so far. */
  maxConcurrent: number;
  answer(handler: (call: ToolServerCall) => ToolAnswer): void;
  close(): Promise<void>;
}

/** An http tool endpoint on 127.0.0.1 that checks signatures and answers as told. */
export async function startToolServer(): Promise<ToolServer> {
  let handler: (call: ToolServerCall) => ToolAnswer = (call) => ({
    body: JSON.stringify({ tool: call.body.name, echoed: call.body.arguments }),
  });
  let inFlight = 0;
  const state: ToolServer = {
    url: '',
    calls: [],
    secret: null,
    maxConcurrent: 0,
    answer: (next) => (handler = next),
    close: () => Promise.resolve(),
  };
  const server = createServer((request, response) => {
    let rawBody = '';
    request.on('data', (chunk) => (rawBody += chunk));
    request.on('end', () => {
      inFlight += 1;
      state.maxConcurrent = Math.max(state.maxConcurrent, inFlight);
      const call: ToolServerCall = {
        path: request.url ?? '/',
        headers: request.headers,
        rawBody,
        body: JSON.parse(rawBody),
        signatureValid:
          state.secret !== null && verifyWebhookSignature(state.secret, request.headers, rawBody),
      };
      state.calls.push(call);
      const answer = handler(call);
      const timer = setTimeout(() => {
        inFlight -= 1;
        if (response.destroyed) return;
        response.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        response.end(answer.body ?? '{}');
      }, answer.delayMs ?? 0);
      response.on('close', () => {
        if (!response.writableFinished) {
          clearTimeout(timer);
          inFlight -= 1;
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}
