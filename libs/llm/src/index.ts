export * from './llm-provider.port';
export * from './llm-adapter.factory';
export * from './llm-abort-reason';
export * from './llm-errors';
export * from './system-prompt';
export * from './provider-outbound';
export * from './secret-redaction';
export * from './structured-output';
