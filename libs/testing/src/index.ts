export * from './test-database';
export * from './test-redis';
export * from './test-services';
export * from './test-app-config';
export * from './accounting-check';
export * from './fake-provider-server';
export * from './seed-agent';
