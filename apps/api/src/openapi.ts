import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '@agentq/config';
import { ADMIN_TOKEN_SCHEME } from './auth/auth.decorators';
import { ErrorResponse } from './common/error-response';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

/** OpenAPI document generated from the controllers and DTOs, served at /docs (JSON at /docs-json). */
export function mountOpenApi(app: INestApplication, config: AppConfig): void {
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
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
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
