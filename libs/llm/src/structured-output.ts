import { ChatMessage, JsonSchema, ResponseFormat } from '@agentq/database';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';

// Draft-07 with ajv's defaults; unknown keywords and formats are ignored rather than refused,
// since schemas written for OpenAI or Anthropic use some of both.
const AJV_OPTIONS = { allErrors: true, strict: false, validateFormats: false };
const ajv = new Ajv(AJV_OPTIONS);

// Compiled validators by schema text: an agent's schema is compiled once per process.
const validators = new Map<string, ValidateFunction>();
const MAX_CACHED_VALIDATORS = 500;

// Errors fed back to the model, and recorded, at most this long.
const MAX_PROBLEM_CHARS = 2_000;

/** Why `schema` is not a usable JSON Schema, or null when it is. */
export function jsonSchemaProblem(schema: JsonSchema): string | null {
  if (!ajv.validateSchema(schema)) {
    return `not a valid JSON Schema: ${ajv.errorsText(ajv.errors, { dataVar: 'schema' })}`;
  }
  try {
    validatorFor(schema);
    return null;
  } catch (error) {
    return `not a usable JSON Schema: ${(error as Error).message}`;
  }
}

export type StructuredAnswer = { ok: true; value: unknown } | { ok: false; problem: string };

/** Parses the model's answer as JSON and validates it against the format's schema. */
export function parseStructuredAnswer(text: string, format: ResponseFormat): StructuredAnswer {
  let value: unknown;
  try {
    value = JSON.parse(withoutCodeFence(text));
  } catch (error) {
    return { ok: false, problem: `the answer is not JSON (${(error as Error).message})` };
  }
  let validate: ValidateFunction;
  try {
    validate = validatorFor(format.schema);
  } catch (error) {
    return {
      ok: false,
      problem: `the response format's schema is unusable: ${(error as Error).message}`,
    };
  }
  if (validate(value)) return { ok: true, value };
  return { ok: false, problem: describeErrors(validate.errors ?? []) };
}

/**
 * The turns that ask for one corrected answer: the model's own answer, then what was wrong
 * with it. Appended to the original conversation for the repair call.
 */
export function repairMessages(
  answer: string,
  problem: string,
  format: ResponseFormat,
): ChatMessage[] {
  return [
    { role: 'assistant', content: answer },
    {
      role: 'user',
      content:
        `Your answer does not match the required JSON Schema "${format.name}": ${problem}\n` +
        'Reply again with only the corrected JSON value, no other text.',
    },
  ];
}

function validatorFor(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    // An instance per schema: ajv registers a schema's $id, and tenants may reuse one.
    validate = new Ajv(AJV_OPTIONS).compile(schema);
    if (validators.size >= MAX_CACHED_VALIDATORS) validators.clear();
    validators.set(key, validate);
  }
  return validate;
}

// Models asked for JSON without a native mode often wrap it in a Markdown fence.
function withoutCodeFence(text: string): string {
  const fenced = /^\s*```[a-zA-Z]*\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text);
  return fenced ? fenced[1] : text;
}

function describeErrors(errors: ErrorObject[]): string {
  const text = ajv.errorsText(errors, { dataVar: 'answer', separator: '; ' });
  return text.length > MAX_PROBLEM_CHARS ? `${text.slice(0, MAX_PROBLEM_CHARS)}…` : text;
}
