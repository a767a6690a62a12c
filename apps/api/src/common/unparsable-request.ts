import { STATUS_CODES } from 'node:http';
import { Socket } from 'node:net';

const ANSWERS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    message: 'the request headers are too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    message: 'the request did not arrive in time',
  },
};
const NOT_HTTP = { status: 400, code: 'bad_request', message: 'the request is not valid HTTP' };

/**
 * Node's `clientError`: bytes on a connection that are not HTTP, often a body longer than its
 * Content-Length (a length counted in characters, not bytes), whose rest is then read as the
 * next request. The connection cannot go on, so the answer says `Connection: close` before it
 * ends; Fastify's own answer left it out, and keep-alive clients sent their next request into
 * a socket about to be destroyed ("socket hang up").
 */
export function answerUnparsableRequest(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, message } = ANSWERS[error.code ?? ''] ?? NOT_HTTP;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
