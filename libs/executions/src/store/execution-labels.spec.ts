import { metadataLabels, tagLabel } from './execution-reads';

describe('execution labels', () => {
  it('labels a tag', () => {
    expect(tagLabel('invoice-7781')).toBe('tag:invoice-7781');
  });

  it('matches the text as a JSON string, and as the JSON scalar it spells', () => {
    expect(metadataLabels('orderId', 'A-1')).toEqual(['meta:orderId="A-1"']);
    expect(metadataLabels('count', '3')).toEqual(['meta:count="3"', 'meta:count=3']);
    expect(metadataLabels('vip', 'true')).toEqual(['meta:vip="true"', 'meta:vip=true']);
    expect(metadataLabels('gone', 'null')).toEqual(['meta:gone="null"', 'meta:gone=null']);
  });

  it('never matches nested values through a JSON text', () => {
    expect(metadataLabels('k', '{"a":1}')).toEqual(['meta:k="{\\"a\\":1}"']);
    expect(metadataLabels('k', '[1]')).toEqual(['meta:k="[1]"']);
  });
});
