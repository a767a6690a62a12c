import { auditDiff, REDACTED } from './audit-diff';
import { auditFilterSql } from './audit-log';

describe('auditDiff', () => {
  it('keeps only what changed', () => {
    expect(
      auditDiff({ name: 'a', role: 'r', updatedAt: 1 }, { name: 'b', role: 'r', updatedAt: 2 }),
    ).toEqual({ name: { from: 'a', to: 'b' } });
  });

  it('shows that a secret changed, never its value, at any depth', () => {
    const diff = auditDiff(
      { apiKeyCiphertext: 'v1:abc', settings: { token: 't1', region: 'eu' } },
      { apiKeyCiphertext: 'v1:def', settings: { token: 't2', region: 'us' } },
    );
    expect(diff).toEqual({
      apiKeyCiphertext: { from: REDACTED, to: REDACTED },
      settings: { from: { token: REDACTED, region: 'eu' }, to: { token: REDACTED, region: 'us' } },
    });
    expect(JSON.stringify(diff)).not.toMatch(/abc|def|t1|t2/);
  });

  it('keeps ids and key prefixes, which are not secrets', () => {
    expect(auditDiff(null, { apiKeyId: 'k-1', prefix: 'aq_12', keyHash: 'h' })).toEqual({
      apiKeyId: { to: 'k-1' },
      prefix: { to: 'aq_12' },
      keyHash: { to: REDACTED },
    });
  });

  it('records a creation and a deletion whole', () => {
    expect(auditDiff(null, { name: 'a' })).toEqual({ name: { to: 'a' } });
    expect(auditDiff({ name: 'a' }, null)).toEqual({ name: { from: 'a' } });
  });
});

describe('auditFilterSql', () => {
  it('numbers its parameters after the caller’s', () => {
    expect(auditFilterSql({ action: 'agent.updated', actorApiKeyId: 'k' }, 2)).toEqual({
      where: 'action = $2 AND actor_api_key_id = $3::uuid',
      params: ['agent.updated', 'k'],
    });
    expect(auditFilterSql({})).toEqual({ where: 'true', params: [] });
  });
});
