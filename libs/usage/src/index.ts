export * from './pricing';
export * from './budget-ledger';
export * from './execution-limits';
