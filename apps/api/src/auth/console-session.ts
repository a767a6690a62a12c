import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiKeyScope } from '@agentq/database';

/** The console's session cookie: httpOnly, SameSite=Strict, Secure under https. */
export const CONSOLE_SESSION_COOKIE = 'agentq_session';
/** The header a console write carries: the session's CSRF token. */
export const CSRF_HEADER = 'x-agentq-csrf';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const PREFIXES = { session: 'aqs_', login_link: 'aql_' } as const;

export type ConsoleSecretKind = keyof typeof PREFIXES;

/** What a console session may do: a tenant API key's scopes, or the admin token's routes. */
export interface ConsoleSessionGrant {
  tenantId: string | null;
  apiKeyId: string | null;
  admin: boolean;
  scopes: ApiKeyScope[];
}

/** 256 random bits behind a prefix that says what it is; only the sha256 is stored. */
export function newConsoleSecret(kind: ConsoleSecretKind): { secret: string; hash: string } {
  const secret = `${PREFIXES[kind]}${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashConsoleSecret(secret) };
}

export function hashConsoleSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function looksLikeConsoleSecret(value: string, kind: ConsoleSecretKind): boolean {
  return value.startsWith(PREFIXES[kind]) && value.length > 40;
}

/**
 * The session's CSRF token: an HMAC of the session secret, so nothing more is stored and only
 * someone who could read the (httpOnly) cookie could compute it. The console gets it in the
 * sign-in answer and from GET /v1/console/sessions/current, keeps it in memory, and sends it in
 * `X-Agentq-Csrf` on every write.
 */
export function csrfTokenFor(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('agentq console csrf').digest('base64url');
}

/** Null when the request may proceed; otherwise why a cookie-authenticated write is refused. */
export function csrfProblem(
  method: string,
  sessionSecret: string,
  header: string | string[] | undefined,
): string | null {
  if (READ_METHODS.has(method)) return null;
  if (typeof header !== 'string' || header.length === 0) {
    return `a console write needs the ${CSRF_HEADER} header`;
  }
  const expected = Buffer.from(csrfTokenFor(sessionSecret));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? null
    : `${CSRF_HEADER} does not match this session`;
}

export interface CookieOptions {
  httpOnly: true;
  sameSite: 'strict';
  secure: boolean;
  path: '/';
  maxAge?: number;
}

/** The cookie's attributes; `secure` when the request came over https (TRUST_PROXY honoured). */
export function sessionCookieOptions(protocol: string, maxAgeSeconds?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: protocol === 'https',
    path: '/',
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

export type SessionRefusal = 'admin_only' | 'tenant_only' | `scope:${ApiKeyScope}`;

/**
 * Whether a session may call a route: admin routes need an admin session, tenant routes a
 * tenant session with the method's scope (reads `read`, anything else `write`), exactly as the
 * key it was opened with would.
 */
export function sessionRefusal(
  policy: 'admin' | 'api-key',
  grant: ConsoleSessionGrant,
  method: string,
): SessionRefusal | null {
  if (policy === 'admin') return grant.admin ? null : 'admin_only';
  if (grant.admin || !grant.tenantId) return 'tenant_only';
  const scope: ApiKeyScope = READ_METHODS.has(method) ? 'read' : 'write';
  return grant.scopes.includes(scope) ? null : `scope:${scope}`;
}
