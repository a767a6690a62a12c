import { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { secretsEqual } from '../auth/api-key-secret';
import { bearerToken } from '../auth/bearer-token';
import { FailedAuthLimiter } from '../auth/failed-auth-limiter.service';

function basicPassword(header: string | undefined): string | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : null;
}

/**
 * Guards Bull Board and every sub-path it serves (its UI assets and JSON API). A browser gets a
 * Basic-auth prompt: any user name, the admin token as password; scripts may send a Bearer token.
 * It matches on the route pattern the request resolved to, so no spelling of the URL slips past.
 */
export function adminBasicAuth(route: string, adminToken: string, limiter: FailedAuthLimiter) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (!request.routeOptions.url?.startsWith(route)) return done();
    const address = request.ip;
    const blockedFor = limiter.blockedForSeconds(address);
    if (blockedFor > 0) {
      void reply
        .status(429)
        .header('Retry-After', String(blockedFor))
        .send({
          error: { code: 'rate_limited', message: 'too many failed attempts; retry later' },
        });
      return;
    }
    const given =
      bearerToken(request.headers.authorization) ?? basicPassword(request.headers.authorization);
    if (given !== null && secretsEqual(given, adminToken)) return done();
    limiter.recordFailure(address);
    void reply
      .status(401)
      .header('WWW-Authenticate', 'Basic realm="agentq admin", charset="UTF-8"')
      .send({ error: { code: 'unauthorized', message: 'the admin token is required' } });
  };
}
