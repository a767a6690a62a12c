export * from './app-config';
export * from './config.module';
export * from './queue-key-prefix';
export { environmentSchema } from './config.schema';
