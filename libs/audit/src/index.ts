export * from './audit-context';
export * from './audit-diff';
export * from './audit-log';
