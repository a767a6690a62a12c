export * from './address-policy';
export * from './destination';
export * from './host-resolver';
export * from './outbound-client';
export * from './outbound-error';
