import { AgentExecution } from '@agentq/database';
import { ItemOutcome } from './micro-batcher';
import { QueuedExecution } from './execution-producer.service';
import { queuedExecution } from './queued-execution';
import { SubmittedExecution } from './submission-store';

type SubmissionOutcome = ItemOutcome<SubmittedExecution[]>;

/**
 * The jobs one write must add: one per created execution, and one again for an idempotent
 * repeat of an execution still `queued` (a no-op if its job exists; it heals a job Redis lost).
 * A repeat of a running or ended execution adds nothing.
 */
export function submissionJobs(outcomes: readonly SubmissionOutcome[], now: number) {
  const accepted = outcomes.flatMap((outcome) => (outcome.ok ? outcome.value : []));
  const created = accepted.filter((s) => s.created).map((s) => s.execution);
  const createdIds = new Set(created.map((e) => e.id));
  const repeatedQueued = new Map<string, AgentExecution>();
  for (const { created: isNew, execution } of accepted) {
    if (!isNew && execution.status === 'queued' && !createdIds.has(execution.id)) {
      repeatedQueued.set(execution.id, execution);
    }
  }
  const jobs: QueuedExecution[] = [
    ...created.map((e) => queuedExecution(e, true, now)),
    ...[...repeatedQueued.values()].map((e) => queuedExecution(e, false, now)),
  ];
  return { created, jobs };
}

/**
 * When the enqueue failed: a submission that created rows fails (its rows are deleted again);
 * one that only repeated earlier submissions keeps its answer, since those rows stand.
 */
export function outcomesWithoutQueue(
  outcomes: readonly SubmissionOutcome[],
  error: unknown,
): SubmissionOutcome[] {
  return outcomes.map((outcome) =>
    outcome.ok && outcome.value.some((s) => s.created) ? { ok: false, error } : outcome,
  );
}
