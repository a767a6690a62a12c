// attribution: who ran an execution (API key, end user, tags, metadata)
export * from './attribution/attribution';
export * from './attribution/concurrency-key';

// store: the statements on agent_executions, execution_steps and the rollups, and its reads
export * from './store/action-timeouts';
export * from './store/approval-decisions';
export * from './store/debounce-store';
export * from './store/claimed-execution';
export * from './store/execution-counts';
export * from './store/execution-reads';
export * from './store/execution-rows';
export * from './store/execution-statements';
export * from './store/execution-step';
export * from './store/execution-steps';
export * from './store/execution-view';
export * from './store/plan-execution-reads';
export * from './store/record-terminal-outcomes';
export * from './store/refused-outcome';
export * from './store/session-event-retention';
export * from './store/submission-store';
export * from './store/terminal-outcome';
export * from './store/tool-outputs';
export * from './store/usage-rollups';

// lifecycle: submit, claim, finish, act, cancel, and the job producer
export * from './lifecycle/execution-aborter.service';
export * from './lifecycle/execution-actions';
export * from './lifecycle/execution-approvals';
export * from './lifecycle/execution-canceller.service';
export * from './lifecycle/execution-claims.service';
export * from './lifecycle/execution-debouncer.service';
export * from './lifecycle/execution-finisher.service';
export * from './lifecycle/execution-producer.service';
export * from './lifecycle/execution-submitter.service';
export * from './lifecycle/queued-execution';

// follow-ups: what a finished execution starts (handoffs, plan tasks)
export * from './follow-ups/plan-advancement';

// recovery: what the reconciler asks for
export * from './recovery/execution-recovery.service';

// streams: lifecycle events and output streams
export * from './streams/execution-event-publisher.service';
export * from './streams/execution-stream';
export * from './streams/lifecycle-announcer.service';
export { currentLifecycleEvent, EventSubject } from './streams/lifecycle-events';

// batching: the one micro-batcher
export * from './batching/group-sorted';
export * from './batching/micro-batcher';

// support: timeouts and database errors
export * from './support/database-unavailable';
export * from './support/transient-database-error';
export * from './support/with-timeout';

export * from './executions.modules';
export * from './store/rerun-plan';
