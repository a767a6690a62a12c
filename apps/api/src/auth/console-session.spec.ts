import {
  csrfProblem,
  csrfTokenFor,
  hashConsoleSecret,
  looksLikeConsoleSecret,
  newConsoleSecret,
  sessionCookieOptions,
  sessionRefusal,
} from './console-session';

const tenantGrant = (scopes: ('read' | 'write')[]) => ({
  tenantId: 't',
  apiKeyId: 'k',
  admin: false,
  scopes,
});
const adminGrant = { tenantId: null, apiKeyId: null, admin: true, scopes: [] };

describe('console sessions', () => {
  it('makes secrets that say what they are, storing only their hash', () => {
    const session = newConsoleSecret('session');
    const link = newConsoleSecret('login_link');
    expect(session.secret).toMatch(/^aqs_[\w-]{43}$/);
    expect(link.secret).toMatch(/^aql_/);
    expect(session.hash).toBe(hashConsoleSecret(session.secret));
    expect(session.hash).not.toContain(session.secret.slice(4));
    expect(looksLikeConsoleSecret(session.secret, 'session')).toBe(true);
    expect(looksLikeConsoleSecret(session.secret, 'login_link')).toBe(false);
    expect(looksLikeConsoleSecret('aqs_short', 'session')).toBe(false);
  });

  it('lets reads through without a CSRF token and refuses writes without the right one', () => {
    const { secret } = newConsoleSecret('session');
    const other = newConsoleSecret('session').secret;
    expect(csrfProblem('GET', secret, undefined)).toBeNull();
    expect(csrfProblem('HEAD', secret, undefined)).toBeNull();
    expect(csrfProblem('POST', secret, undefined)).toMatch(/needs the x-agentq-csrf header/);
    expect(csrfProblem('DELETE', secret, '')).toMatch(/needs/);
    expect(csrfProblem('PATCH', secret, csrfTokenFor(other))).toMatch(/does not match/);
    expect(csrfProblem('POST', secret, ['a', 'b'])).toMatch(/needs/);
    expect(csrfProblem('POST', secret, csrfTokenFor(secret))).toBeNull();
  });

  it('sets an httpOnly, SameSite=Strict cookie, Secure only over https', () => {
    expect(sessionCookieOptions('http', 60)).toEqual({
      httpOnly: true,
      sameSite: 'strict',
      secure: false,
      path: '/',
      maxAge: 60,
    });
    expect(sessionCookieOptions('https').secure).toBe(true);
    expect(sessionCookieOptions('https')).not.toHaveProperty('maxAge');
  });

  it("gives a session its key's rights: read-only keys read, admin sessions only admin routes", () => {
    expect(sessionRefusal('api-key', tenantGrant(['read']), 'GET')).toBeNull();
    expect(sessionRefusal('api-key', tenantGrant(['read']), 'POST')).toBe('scope:write');
    expect(sessionRefusal('api-key', tenantGrant(['write']), 'GET')).toBe('scope:read');
    expect(sessionRefusal('api-key', tenantGrant(['read', 'write']), 'DELETE')).toBeNull();
    expect(sessionRefusal('admin', tenantGrant(['read', 'write']), 'GET')).toBe('admin_only');
    expect(sessionRefusal('admin', adminGrant, 'POST')).toBeNull();
    expect(sessionRefusal('api-key', adminGrant, 'GET')).toBe('tenant_only');
  });
});
