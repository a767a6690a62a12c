export * from './tool-definitions';
export * from './tool-signing-secrets';
export * from './tools.module';
