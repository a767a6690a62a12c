export * from './credential-cipher';
export * from './credential-decryption.error';
export * from './crypto.module';
export * from './tool-ciphers';
export * from './webhook-secret-cipher';
export * from './waitpoint-tokens';
