export * from './metrics-registry';
export * from './metrics.module';
export * from './queue-depth.metric';
export * from './tenant-waiting.metric';
