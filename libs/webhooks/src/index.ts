export * from './webhook-events';
export * from './webhook-retry';
export * from './webhook-signature';
