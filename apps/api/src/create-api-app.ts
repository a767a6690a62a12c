import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig } from '@agentq/config';
import { createAppLogger } from '@agentq/logging';
import { ApiModule } from './api.module';
import { createValidationPipe } from './common/validation.pipe';
import { mountOpenApi } from './openapi';

/** Builds the HTTP application; main.ts and the e2e suites share it. */
export async function createApiApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    logger: createAppLogger(config.log),
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: config.http.bodyLimit });
  app.useGlobalPipes(createValidationPipe());
  app.disable('x-powered-by');
  mountOpenApi(app);
  return app;
}
