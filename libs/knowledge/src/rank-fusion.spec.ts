import { fuseRankings, RRF_K } from './rank-fusion';

describe('fuseRankings (reciprocal rank fusion)', () => {
  it('adds weight / (k + rank) over the lists', () => {
    const fused = fuseRankings([
      { weight: 1, ids: ['a', 'b'] },
      { weight: 1, ids: ['b', 'c'] },
    ]);
    expect(fused.map((hit) => hit.id)).toEqual(['b', 'a', 'c']);
    expect(fused[0].score).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1));
    expect(fused[1].score).toBeCloseTo(1 / (RRF_K + 1));
  });

  it('ranks a document both lists like above one only a single list puts first', () => {
    const fused = fuseRankings([
      { weight: 1, ids: ['lexical-only', 'both'] },
      { weight: 1, ids: ['semantic-only', 'both'] },
    ]);
    expect(fused[0].id).toBe('both');
  });

  it('lets a weight favour one list', () => {
    const fused = fuseRankings([
      { weight: 1, ids: ['a'] },
      { weight: 2, ids: ['b'] },
    ]);
    expect(fused.map((hit) => hit.id)).toEqual(['b', 'a']);
  });

  it('gives nothing for empty lists', () => {
    expect(fuseRankings([{ weight: 1, ids: [] }])).toEqual([]);
  });
});
