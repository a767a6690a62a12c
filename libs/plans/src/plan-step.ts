import { FailurePolicy } from './plan-spec';

export type PlanStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type TaskStatus =
  'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';

export interface TaskState {
  key: string;
  status: TaskStatus;
  dependsOn: readonly string[];
}

/** What to do next with a plan, given its tasks as they now stand. */
export interface PlanStep {
  /** Pending tasks whose dependencies all succeeded: create their executions now. */
  ready: string[];
  /** Pending tasks that will never run. */
  skip: string[];
  /** Queued or running tasks to cancel (fail_fast after a failure). */
  cancel: string[];
  status: PlanStatus;
}

const ACTIVE = new Set<TaskStatus>(['queued', 'running']);
const UNSUCCESSFUL = new Set<TaskStatus>(['failed', 'cancelled', 'skipped']);

/**
 * Decides a plan's next step. `fail_fast`: the first failed (or cancelled) task ends the plan
 * `failed`, skipping what is pending and cancelling what is active. `continue`: only the
 * dependents of a failed task are skipped. The plan ends when no task is pending or active.
 */
export function nextPlanStep(
  plan: { status: PlanStatus; failurePolicy: FailurePolicy },
  tasks: readonly TaskState[],
): PlanStep {
  const pending = tasks.filter((t) => t.status === 'pending').map((t) => t.key);
  if (plan.status !== 'running') {
    return { ready: [], skip: pending, cancel: [], status: plan.status };
  }
  const anyFailed = tasks.some((t) => t.status === 'failed' || t.status === 'cancelled');
  if (anyFailed && plan.failurePolicy === 'fail_fast') {
    const cancel = tasks.filter((t) => ACTIVE.has(t.status)).map((t) => t.key);
    return { ready: [], skip: pending, cancel, status: 'failed' };
  }
  const status = new Map(tasks.map((t) => [t.key, t.status]));
  // Skips propagate along chains: repeat until nothing changes.
  let changed = true;
  while (changed) {
    changed = false;
    for (const task of tasks) {
      if (status.get(task.key) !== 'pending') continue;
      if (task.dependsOn.some((d) => UNSUCCESSFUL.has(status.get(d)!))) {
        status.set(task.key, 'skipped');
        changed = true;
      }
    }
  }
  const skip = pending.filter((key) => status.get(key) === 'skipped');
  const ready = tasks
    .filter(
      (t) =>
        status.get(t.key) === 'pending' && t.dependsOn.every((d) => status.get(d) === 'succeeded'),
    )
    .map((t) => t.key);
  const open = [...status.values()].some((s) => s === 'pending' || ACTIVE.has(s));
  const finished = !open && ready.length === 0;
  return {
    ready,
    skip,
    cancel: [],
    status: finished ? (anyFailed ? 'failed' : 'succeeded') : 'running',
  };
}

/**
 * Whether a rerun of a task's execution takes the task's place in its plan: only while the plan
 * runs, and only for a task that failed or was cancelled (its dependents were skipped, none ran
 * on its output). Otherwise the rerun is a standalone execution and the plan is left as it is.
 */
export function rerunsInPlan(planStatus: PlanStatus, taskStatus: TaskStatus): boolean {
  return planStatus === 'running' && (taskStatus === 'failed' || taskStatus === 'cancelled');
}

/** The keys of the tasks that depend on `key`, directly or through others. */
export function dependentsOf(tasks: readonly TaskState[], key: string): string[] {
  const found = new Set<string>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const task of tasks) {
      if (found.has(task.key)) continue;
      if (task.dependsOn.some((d) => d === key || found.has(d))) {
        found.add(task.key);
        changed = true;
      }
    }
  }
  return tasks.filter((t) => found.has(t.key)).map((t) => t.key);
}
