import type { ChatMessage } from '@agentq/database';

/** The input of a task: one message, or a conversation. Placeholders may appear in the text. */
export type TaskInput = { message: string } | { messages: ChatMessage[] };

export type FailurePolicy = 'fail_fast' | 'continue';

/** A task as the caller described it, after the body's shape was validated. */
export interface TaskSpec {
  key: string;
  title?: string | null;
  agentId?: string | null;
  capability?: string | null;
  input: TaskInput;
  dependsOn?: string[];
  priority?: number;
  maxAttempts?: number;
  timeoutMs?: number | null;
  /** On success, the task's output is stored as a knowledge entry. */
  saveOutputAs?: {
    type: string;
    title: string;
    tags?: string[];
    collection?: string | null;
  } | null;
}

export const MAX_PLAN_TASKS = 1_000;
export const TASK_KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export type PlanRefusalCode =
  | 'plan_cycle'
  | 'plan_too_large'
  | 'invalid_task_key'
  | 'duplicate_task_key'
  | 'unknown_dependency'
  | 'unreferenced_placeholder'
  | 'agent_not_found'
  | 'no_agent_for_capability'
  | 'task_without_agent';

/** Why a plan was refused (422); nothing is written. */
export class PlanRefusedError extends Error {
  constructor(
    readonly code: PlanRefusalCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = PlanRefusedError.name;
  }
}

const PLACEHOLDER =
  /\{\{\s*(plan\.input\.([A-Za-z0-9_.-]+)|tasks\.([A-Za-z0-9_-]+)\.output\.text)\s*\}\}/g;

// The texts of an input, where placeholders live.
function inputTexts(input: TaskInput): string[] {
  return 'message' in input ? [input.message] : input.messages.map((m) => m.content);
}

/** Keys of the tasks whose output an input names. */
export function referencedTaskKeys(input: TaskInput): string[] {
  const keys = new Set<string>();
  for (const text of inputTexts(input)) {
    for (const match of text.matchAll(PLACEHOLDER)) if (match[3]) keys.add(match[3]);
  }
  return [...keys];
}

/**
 * Checks a plan's graph: keys well formed and unique, dependencies known, no cycle (the message
 * names the keys of one), placeholders only naming tasks depended on (transitively).
 * Throws PlanRefusedError; returns the keys in a topological order.
 */
export function validatePlanGraph(tasks: readonly TaskSpec[]): string[] {
  if (tasks.length > MAX_PLAN_TASKS) {
    throw new PlanRefusedError(
      'plan_too_large',
      `a plan has at most ${MAX_PLAN_TASKS} tasks; this one has ${tasks.length}`,
    );
  }
  const byKey = new Map<string, TaskSpec>();
  for (const task of tasks) {
    if (!TASK_KEY_PATTERN.test(task.key)) {
      throw new PlanRefusedError(
        'invalid_task_key',
        `task key "${task.key}" must be 1-64 characters of A-Z a-z 0-9 _ -`,
        { key: task.key },
      );
    }
    if (byKey.has(task.key)) {
      throw new PlanRefusedError('duplicate_task_key', `task key "${task.key}" appears twice`, {
        key: task.key,
      });
    }
    byKey.set(task.key, task);
  }
  for (const task of tasks) {
    for (const dependency of task.dependsOn ?? []) {
      if (!byKey.has(dependency)) {
        throw new PlanRefusedError(
          'unknown_dependency',
          `task "${task.key}" depends on "${dependency}", which is not a task of this plan`,
          { key: task.key, dependsOn: dependency },
        );
      }
    }
  }
  const order = topologicalOrder(tasks);
  const ancestors = new Map<string, Set<string>>();
  for (const key of order) {
    const own = new Set<string>();
    for (const dependency of byKey.get(key)!.dependsOn ?? []) {
      own.add(dependency);
      for (const ancestor of ancestors.get(dependency)!) own.add(ancestor);
    }
    ancestors.set(key, own);
  }
  for (const task of tasks) {
    for (const referenced of referencedTaskKeys(task.input)) {
      if (!ancestors.get(task.key)!.has(referenced)) {
        throw new PlanRefusedError(
          'unreferenced_placeholder',
          `task "${task.key}" uses the output of "${referenced}" but does not depend on it`,
          { key: task.key, references: referenced },
        );
      }
    }
  }
  return order;
}

// Kahn's algorithm; on a cycle, finds one and names its keys.
function topologicalOrder(tasks: readonly TaskSpec[]): string[] {
  const remaining = new Map(tasks.map((t) => [t.key, new Set(t.dependsOn ?? [])]));
  const dependents = new Map<string, string[]>(tasks.map((t) => [t.key, []]));
  for (const task of tasks) {
    for (const dependency of new Set(task.dependsOn ?? []))
      dependents.get(dependency)!.push(task.key);
  }
  const ready = tasks.filter((t) => remaining.get(t.key)!.size === 0).map((t) => t.key);
  const order: string[] = [];
  while (ready.length > 0) {
    const key = ready.pop()!;
    order.push(key);
    for (const dependent of dependents.get(key)!) {
      const waiting = remaining.get(dependent)!;
      waiting.delete(key);
      if (waiting.size === 0) ready.push(dependent);
    }
  }
  if (order.length === tasks.length) return order;
  const cycle = findCycle(remaining);
  throw new PlanRefusedError('plan_cycle', `the tasks form a cycle: ${cycle.join(' -> ')}`, {
    cycle,
  });
}

// Among tasks still waiting (each has a dependency still waiting), walk back until a key repeats.
function findCycle(remaining: Map<string, Set<string>>): string[] {
  const waiting = [...remaining].filter(([, deps]) => deps.size > 0);
  let key = waiting[0][0];
  const seen = new Map<string, number>();
  const path: string[] = [];
  while (!seen.has(key)) {
    seen.set(key, path.length);
    path.push(key);
    key = [...remaining.get(key)!].find((dependency) => remaining.get(dependency)!.size > 0)!;
  }
  const cycle = path.slice(seen.get(key)!).reverse();
  return [...cycle, cycle[0]];
}

function lookup(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Fills an input's placeholders from the plan's input and the outputs of finished tasks. */
export function renderTaskInput(
  input: TaskInput,
  planInput: unknown,
  outputs: ReadonlyMap<string, string>,
): TaskInput {
  const render = (text: string) =>
    text.replace(PLACEHOLDER, (_whole, _ref, inputPath?: string, taskKey?: string) =>
      inputPath !== undefined
        ? asText(lookup(planInput, inputPath))
        : (outputs.get(taskKey!) ?? ''),
    );
  return 'message' in input
    ? { message: render(input.message) }
    : { messages: input.messages.map((m) => ({ role: m.role, content: render(m.content) })) };
}
