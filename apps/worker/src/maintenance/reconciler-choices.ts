import { JobPresence } from './job-presence';

/** True when an execution's job can no longer run: a `queued` row's is enqueued again. */
export function jobIsGone(state: JobPresence | undefined): boolean {
  // `finished`: a completed or failed job keeps its id, so `add` with it would be a no-op.
  return state === 'missing' || state === 'finished';
}

/** What becomes of a `running` execution past its timeout, from its job's state in Redis. */
export type OverdueRunningChoice = 'leave' | 'requeue' | 'fail';

export function overdueRunningChoice(
  state: JobPresence | undefined,
  attempts: number,
  maxAttempts: number,
): OverdueRunningChoice {
  // A live lock means a worker still has it; a pending job will be claimed again.
  if (!jobIsGone(state)) return 'leave';
  return attempts < maxAttempts ? 'requeue' : 'fail';
}
