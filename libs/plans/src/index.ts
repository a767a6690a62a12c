export * from './plan-spec';
export * from './plan-step';
export * from './plan-advance-store';
export * from './plan-store';
export * from './plan-retention';
