export * from './plan-spec';
export * from './plan-step';
