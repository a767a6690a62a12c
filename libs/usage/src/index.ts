export * from './pricing';
export * from './budget-ledger';
export * from './attribution-budgets';
