export * from './plan-spec';
export * from './plan-step';
export * from './plan-store';
export * from './plan-retention';
