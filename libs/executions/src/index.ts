export * from './database-unavailable';
export * from './execution-event-publisher.service';
export * from './executions-core.module';
export * from './record-terminal-outcomes';
export * from './terminal-outcome';
export * from './transient-database-error';
