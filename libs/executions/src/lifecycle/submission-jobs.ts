import { AgentExecution } from '@agentq/database';
import { ItemOutcome } from '../batching/micro-batcher';
import { QueuedExecution } from './execution-producer.service';
import { queuedExecution } from './queued-execution';
import { SubmittedExecution } from '../store/submission-store';

type SubmissionOutcome = ItemOutcome<SubmittedExecution[]>;

/**
 * The jobs one write must add: one per created execution, and one again for an idempotent
 * repeat of an execution still `queued` (a no-op if its job exists; it heals a job Redis lost).
 * A repeat of a running or ended execution adds nothing. Each job carries the trace context of
 * the submission that caused it (`traceparents`, by submission).
 */
export function submissionJobs(
  outcomes: readonly SubmissionOutcome[],
  traceparents: readonly (string | undefined)[],
  now: number,
) {
  const created: AgentExecution[] = [];
  const jobs: QueuedExecution[] = [];
  const repeated: QueuedExecution[] = [];
  const seen = new Set<string>();
  outcomes.forEach((outcome, index) => {
    if (!outcome.ok) return;
    for (const { created: isNew, execution } of outcome.value) {
      if (!isNew) continue;
      created.push(execution);
      seen.add(execution.id);
      jobs.push(queuedExecution(execution, true, now, traceparents[index]));
    }
  });
  outcomes.forEach((outcome, index) => {
    if (!outcome.ok) return;
    for (const { created: isNew, execution } of outcome.value) {
      if (isNew || execution.status !== 'queued' || seen.has(execution.id)) continue;
      seen.add(execution.id);
      repeated.push(queuedExecution(execution, false, now, traceparents[index]));
    }
  });
  return { created, jobs: [...jobs, ...repeated] };
}

/**
 * When the enqueue failed: a submission fails if rows it created were deleted again
 * (`withdrawn`); the others keep their answer, since their rows stand and the reconciler adds
 * the jobs of rows left `queued`.
 */
export function outcomesWithoutQueue(
  outcomes: readonly SubmissionOutcome[],
  error: unknown,
  withdrawn: ReadonlySet<string>,
): SubmissionOutcome[] {
  return outcomes.map((outcome) =>
    outcome.ok && outcome.value.some((s) => s.created && withdrawn.has(s.execution.id))
      ? { ok: false, error }
      : outcome,
  );
}
