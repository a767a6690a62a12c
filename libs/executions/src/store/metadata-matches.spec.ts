import { metadataMatches } from './execution-reads';

describe('metadataMatches', () => {
  it('matches the text as a string, and as the JSON scalar it spells', () => {
    expect(metadataMatches('orderId', 'A-1')).toEqual([{ orderId: 'A-1' }]);
    expect(metadataMatches('count', '3')).toEqual([{ count: '3' }, { count: 3 }]);
    expect(metadataMatches('vip', 'true')).toEqual([{ vip: 'true' }, { vip: true }]);
    expect(metadataMatches('gone', 'null')).toEqual([{ gone: 'null' }, { gone: null }]);
  });

  it('never matches nested values through a JSON text', () => {
    expect(metadataMatches('k', '{"a":1}')).toEqual([{ k: '{"a":1}' }]);
    expect(metadataMatches('k', '[1]')).toEqual([{ k: '[1]' }]);
  });
});
