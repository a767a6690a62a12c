import { SchemaObject } from '@nestjs/swagger';

const JSON_TYPES: SchemaObject[] = [
  { type: 'object', additionalProperties: true },
  { type: 'array', items: {} },
  { type: 'string' },
  { type: 'number' },
  { type: 'boolean' },
];

/**
 * Any JSON value, spelled out so that generators type it (`Record<string, unknown> | unknown[] |
 * string | number | boolean`) instead of reading a bare `type: object` as an empty object.
 * OpenAPI 3.0 wants `nullable` beside a `type`, so a nullable one says it in every branch (and
 * is `anyOf`: null then matches them all).
 */
export function jsonValueSchema(
  options: { nullable?: boolean } = {},
): Pick<SchemaObject, 'oneOf' | 'anyOf'> {
  return options.nullable
    ? { anyOf: JSON_TYPES.map((type) => ({ ...type, nullable: true })) }
    : { oneOf: JSON_TYPES };
}
