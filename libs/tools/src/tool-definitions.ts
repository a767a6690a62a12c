import Ajv from 'ajv';

export const TOOL_LIMITS = {
  tools: 32,
  descriptionChars: 4_000,
  parametersChars: 32_000,
  headers: 20,
  minTimeoutMs: 100,
  maxTimeoutMs: 120_000,
  defaultTimeoutMs: 30_000,
  minSteps: 1,
  maxSteps: 50,
} as const;

export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A field of the request body and what is wrong with it. */
export interface ToolFieldProblem {
  field: string;
  message: string;
}

const schemaChecker = new Ajv({ strict: false, allErrors: true, validateSchema: true });

/**
 * What is wrong with a tool's `parameters` as a JSON Schema (ajv 8 compiles it), or null.
 * Both providers want an object schema at the top.
 */
export function parametersProblem(parameters: unknown): string | null {
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    return 'must be a JSON Schema object';
  }
  if ((parameters as { type?: unknown }).type !== 'object') {
    return 'must describe an object (type: "object")';
  }
  if (JSON.stringify(parameters).length > TOOL_LIMITS.parametersChars) {
    return `must be at most ${TOOL_LIMITS.parametersChars} characters of JSON`;
  }
  try {
    schemaChecker.compile(parameters);
  } catch (error) {
    return `is not a valid JSON Schema: ${(error as Error).message}`;
  }
  return null;
}

/** Names repeated in the list, each once. */
export function duplicateToolNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
  }
  return [...repeated];
}

const argumentCheckers = new Map<string, ReturnType<typeof schemaChecker.compile>>();
const MAX_CACHED_CHECKERS = 500;

/**
 * What is wrong with the arguments a model gave a tool, against the tool's `parameters`, or
 * null. Compiled validators are cached by schema text (agents are read afresh for each attempt).
 */
export function argumentsProblem(parameters: object, args: unknown): string | null {
  const key = JSON.stringify(parameters);
  let check = argumentCheckers.get(key);
  if (!check) {
    try {
      check = schemaChecker.compile(parameters);
    } catch {
      return null; // checked when the agent was saved; a schema ajv cannot compile checks nothing
    }
    if (argumentCheckers.size >= MAX_CACHED_CHECKERS) argumentCheckers.clear();
    argumentCheckers.set(key, check);
  }
  if (check(args)) return null;
  return schemaChecker.errorsText(check.errors, { dataVar: 'arguments' });
}
