export * from './context-maintenance.job';
export * from './execution-events';
export * from './execution.job';
export * from './queues';
export * from './reconcile-executions.job';
export * from './retry-policy';
export * from './schedule-tick.job';
export * from './webhook-delivery.job';
