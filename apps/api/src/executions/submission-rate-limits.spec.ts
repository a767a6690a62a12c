import { submissionsPerKey } from './submission-rate-limits.service';

describe('submissionsPerKey', () => {
  const by = (user: string | null, metadata: Record<string, unknown> | null = null) => ({
    apiKeyId: 'key-1',
    user,
    metadata,
  });

  it('counts a batch per key value, leaving out submissions without a value', () => {
    const counts = submissionsPerKey('user', [by('a'), by('b'), by('a'), by(null)]);
    expect([...counts.entries()]).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });

  it('counts by the submitting key or by a metadata entry', () => {
    expect([...submissionsPerKey('apiKey', [by('a'), by('b')]).values()]).toEqual([2]);
    const counts = submissionsPerKey('metadata.org', [
      by('a', { org: 'x' }),
      by('b', { org: 'x' }),
    ]);
    expect([...counts.values()]).toEqual([2]);
  });
});
