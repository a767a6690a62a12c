export * from './webhook-events';
export * from './webhook-retry';
export * from './webhook-signature';
export * from './webhook-outbound';
export * from './webhook-view';
export * from './webhook-retention';
export * from './webhook-deliveries';
