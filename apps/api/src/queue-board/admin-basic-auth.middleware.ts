import { NextFunction, Request, Response } from 'express';
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
 */
export function adminBasicAuth(adminToken: string, limiter: FailedAuthLimiter) {
  return (request: Request, response: Response, next: NextFunction) => {
    const address = request.ip ?? 'unknown';
    const blockedFor = limiter.blockedForSeconds(address);
    if (blockedFor > 0) {
      response
        .status(429)
        .set('Retry-After', String(blockedFor))
        .json({
          error: { code: 'rate_limited', message: 'too many failed attempts; retry later' },
        });
      return;
    }
    const given =
      bearerToken(request.headers.authorization) ?? basicPassword(request.headers.authorization);
    if (given !== null && secretsEqual(given, adminToken)) return next();
    limiter.recordFailure(address);
    response
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="agentq admin", charset="UTF-8"')
      .json({ error: { code: 'unauthorized', message: 'the admin token is required' } });
  };
}
