export * from './execution-events';
export * from './execution.job';
export * from './queues';
export * from './redis-connection';
export * from './retry-policy';
