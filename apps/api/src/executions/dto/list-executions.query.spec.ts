import { foldMetadataFilters } from './list-executions.query';

describe('foldMetadataFilters', () => {
  it('folds metadata.<key> parameters into one object and keeps the others', () => {
    expect(
      foldMetadataFilters({ user: 'u1', 'metadata.orderId': 'A-1', 'metadata.region': 'eu' }),
    ).toEqual({ user: 'u1', metadata: { orderId: 'A-1', region: 'eu' } });
  });

  it('takes the deepObject style too', () => {
    expect(foldMetadataFilters({ 'metadata[orderId]': 'A-1' })).toEqual({
      metadata: { orderId: 'A-1' },
    });
  });

  it('leaves a query without metadata filters as it is', () => {
    expect(foldMetadataFilters({ tag: ['a', 'b'] })).toEqual({ tag: ['a', 'b'] });
  });

  it('keeps what validation must refuse visible: a repeated key, a bare metadata', () => {
    expect(foldMetadataFilters({ 'metadata.k': ['1', '2'] })).toEqual({
      metadata: { k: ['1', '2'] },
    });
    expect(foldMetadataFilters({ metadata: 'x', 'metadata.k': 'v' })).toEqual({
      metadata: { k: 'v', '': 'x' },
    });
  });
});
