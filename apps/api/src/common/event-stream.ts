import { ServerResponse } from 'node:http';
import { FastifyReply } from 'fastify';

/**
 * Takes the reply over from Fastify (nothing is sent for the handler's return value) and opens a
 * Server-Sent Events stream on the socket: headers out now, proxies told not to buffer.
 */
export function openEventStream(reply: FastifyReply): ServerResponse {
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  return reply.raw;
}
