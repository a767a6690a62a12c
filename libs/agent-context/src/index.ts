export * from './handoff-directive';
export * from './handoff-plan';
export * from './memory-selection';
export * from './redaction';
export * from './session-event-types';
export * from './session-history';
