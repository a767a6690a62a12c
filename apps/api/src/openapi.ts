import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI document generated from the controllers and DTOs, served at /docs (JSON at /docs-json). */
export function mountOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('agentq API')
      .setDescription(
        'Define agents, submit jobs to them, and read back every execution with its tokens, cost and latency.',
      )
      .setVersion('v1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A tenant API key (aq_...)' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
