import { searchKnowledgeArguments, searchKnowledgeOutput } from './search-knowledge-tool';

describe('the search_knowledge tool', () => {
  it('takes a query and an optional k (5 by default)', () => {
    expect(searchKnowledgeArguments({ query: 'backups' })).toEqual({
      ok: true,
      value: { query: 'backups', k: 5 },
    });
    expect(searchKnowledgeArguments({ query: 'backups', k: 2 })).toEqual({
      ok: true,
      value: { query: 'backups', k: 2 },
    });
  });

  it('names what is wrong with bad arguments', () => {
    expect(searchKnowledgeArguments({})).toMatchObject({ ok: false, problem: /query/ });
    expect(searchKnowledgeArguments({ query: 'x', k: 50 })).toMatchObject({
      ok: false,
      problem: /k/,
    });
  });

  it('answers the entries as JSON', () => {
    const output = searchKnowledgeOutput([
      { entryId: 'e1', title: 'Backups', type: 'documentation', text: 'pg_dump nightly' },
    ]);
    expect(JSON.parse(output)).toEqual({
      results: [{ id: 'e1', title: 'Backups', type: 'documentation', text: 'pg_dump nightly' }],
    });
  });
});
