import { registerDecorator } from 'class-validator';
import { ZodType } from 'zod';

function describeProblems(schema: ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  if (result.success) return '';
  return result.error.issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}

/**
 * Validates a property with a zod schema inside class-validator, so a zod-defined shape (shared
 * with the worker) reports through the same `validation_failed` details as every other field.
 */
export function ConformsTo(schema: ZodType): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'conformsTo',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => schema.safeParse(value).success,
        defaultMessage: (args) => describeProblems(schema, args?.value),
      },
    });
}
