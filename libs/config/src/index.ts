export * from './app-config';
export * from './config.module';
export { environmentSchema } from './config.schema';
