export * from './chunking';
export * from './knowledge-embeddings';
export * from './knowledge-search';
export * from './knowledge-store';
export * from './knowledge-types';
export * from './rank-fusion';
export * from './template-placeholders';
export * from './vector-backend';
