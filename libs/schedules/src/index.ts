export * from './schedule-cron';
export * from './schedule-firing-key';
