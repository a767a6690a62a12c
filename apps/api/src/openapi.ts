import { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  getSchemaPath,
  OpenAPIObject,
  ReferenceObject,
  SchemaObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { AppConfig } from '@agentq/config';
import { ADMIN_TOKEN_SCHEME } from './auth/auth.decorators';
import { ErrorResponse } from './common/error-response';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
type Schema = SchemaObject | ReferenceObject;

/**
 * OpenAPI document generated from the controllers and DTOs, served at /docs (JSON at /docs-json).
 * Built on its first request, not at start-up, where scanning every route cost about a twentieth
 * of the API's start-up CPU.
 */
export function mountOpenApi(app: INestApplication, config: AppConfig): void {
  SwaggerModule.setup('docs', app, () => openApiDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
  });
}

function openApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('agentq API')
      .setDescription(
        'Define agents, submit jobs to them, and read back every execution with its tokens, cost and latency.',
      )
      .setVersion('v1')
      .setLicense('MIT', 'https://opensource.org/license/mit')
      .addServer(config.http.publicUrl)
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A tenant API key (aq_...)' })
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'AGENTQ_ADMIN_TOKEN' },
        ADMIN_TOKEN_SCHEME,
      )
      .addSecurityRequirements('bearer')
      .build(),
    { extraModels: [ErrorResponse] },
  );
  documentErrors(document);
  documentRequestDefaults(document);
  return document;
}

// Every error the API answers has one shape (ApiExceptionFilter). Rather than repeat it on every
// route, the rules that hold for all routes are added here: a 400 where a body or query is
// validated, a 404 where a path names a resource, a 401 where a key is required, and a
// `default` for the rest (503 while PostgreSQL or Redis is down, 500 otherwise). Responses a
// controller declared keep their description; every error response gets the schema.
function documentErrors(document: OpenAPIObject): void {
  const error = { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponse) } } };
  const requiresKey = (operation: Operation) =>
    (operation.security ?? document.security ?? []).some((r) => Object.keys(r).length > 0);
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.post, item.put, item.patch, item.delete]) {
      if (!operation) continue;
      const parameters = (operation.parameters ?? []).filter((p) => 'in' in p);
      const add = (status: string, description: string) => {
        operation.responses[status] ??= { description };
      };
      if (operation.requestBody || parameters.some((p) => p.in === 'query')) {
        add('400', 'validation_failed: the fields at fault are listed in `details`');
      }
      if (parameters.some((p) => p.in === 'path')) add('404', 'not_found');
      if (requiresKey(operation)) add('401', 'unauthorized: no valid key or token');
      add('default', 'service_unavailable (503) while PostgreSQL or Redis is down; otherwise 500');
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response || !/^[45]|^default$/.test(status) || '$ref' in response) continue;
        response.content = error;
      }
    }
  }
}

// A request field with a default may be left out. openapi-typescript's default options
// (`defaultNonNullable`) make every schema property with a `default` required, request bodies'
// component schemas included, so a client generated that way would have to send them all. In
// schemas that requests use, the default moves into the description instead (for a schema only
// PATCH uses, as what a new resource starts with: leaving the field out changes nothing).
function documentRequestDefaults(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const reached = new Map<string, Set<'create' | 'update'>>();
  const visit = (schema: Schema | undefined, use: 'create' | 'update') => {
    if (!schema) return;
    if ('$ref' in schema) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      const uses = reached.get(name) ?? new Set();
      if (uses.has(use)) return;
      reached.set(name, uses.add(use));
      visit(schemas[name], use);
      return;
    }
    const children = [
      ...Object.values(schema.properties ?? {}),
      ...(schema.allOf ?? []),
      ...(schema.oneOf ?? []),
      ...(schema.anyOf ?? []),
      schema.items,
    ];
    for (const child of children) visit(child, use);
  };
  for (const item of Object.values(document.paths)) {
    for (const [operation, use] of [
      [item.post, 'create'],
      [item.put, 'create'],
      [item.patch, 'update'],
    ] as const) {
      const body = operation?.requestBody;
      if (!body || '$ref' in body) continue;
      for (const media of Object.values(body.content)) visit(media.schema, use);
    }
  }
  for (const [name, uses] of reached) {
    const schema = schemas[name];
    if (!schema || '$ref' in schema) continue;
    for (const property of Object.values(schema.properties ?? {})) {
      if ('$ref' in property || !('default' in property)) continue;
      const value = `\`${JSON.stringify(property.default)}\``;
      const stated = uses.has('create') ? `Default: ${value}.` : `A new one starts with ${value}.`;
      const description = property.description?.replace(/\.?$/, '.');
      property.description = description ? `${description} ${stated}` : stated;
      delete property.default;
    }
  }
}
