import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { registerDecorator, IsBoolean, IsIn, IsObject, IsOptional, Matches } from 'class-validator';
import { JsonSchema } from '@agentq/database';
import { jsonSchemaProblem } from '@agentq/llm';

// Validates a property as a JSON Schema document with ajv, naming what is wrong.
function IsJsonSchema(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isJsonSchema',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          jsonSchemaProblem(value as JsonSchema) === null,
        defaultMessage: (args) =>
          typeof args?.value === 'object' && args.value !== null && !Array.isArray(args.value)
            ? (jsonSchemaProblem(args.value as JsonSchema) ?? '')
            : 'schema must be a JSON Schema object',
      },
    });
}

/** Structured output: the answer must be JSON matching `schema`; GET .../:id shows it as output.json. */
export class ResponseFormatDto {
  @ApiProperty({ enum: ['json_schema'] })
  @IsIn(['json_schema'])
  type!: 'json_schema';

  @ApiProperty({ example: 'weather_report', description: '1-64 of a-z A-Z 0-9 _ -' })
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  name!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'a JSON Schema (draft-07); the answer is validated against it',
    example: {
      type: 'object',
      properties: { city: { type: 'string' }, celsius: { type: 'number' } },
      required: ['city', 'celsius'],
    },
  })
  @IsObject()
  @IsJsonSchema()
  schema!: JsonSchema;

  @ApiPropertyOptional({
    description: "OpenAI's strict mode (the schema must then follow OpenAI's subset)",
  })
  @IsOptional()
  @IsBoolean()
  strict?: boolean;
}
