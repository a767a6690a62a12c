import { NextFunction, Request, Response } from 'express';
import { secretsEqual } from '../auth/api-key-secret';
import { bearerToken } from '../auth/bearer-token';

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
export function adminBasicAuth(adminToken: string) {
  return (request: Request, response: Response, next: NextFunction) => {
    const given =
      bearerToken(request.headers.authorization) ?? basicPassword(request.headers.authorization);
    if (given !== null && secretsEqual(given, adminToken)) return next();
    response
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="agentq admin", charset="UTF-8"')
      .json({ error: { code: 'unauthorized', message: 'the admin token is required' } });
  };
}
