export * from './schedule-cron';
export * from './schedule-firing-key';
export * from './schedule-firing-retention';
export * from './schedule-firings';
export * from './schedule-store';
