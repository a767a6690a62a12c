import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig } from '@agentq/config';
import { createAppLogger } from '@agentq/logging';
import { ApiModule } from './api.module';
import { requireJsonBodies, screenJsonBodies } from './common/json-body.middleware';
import { TraceRouteInterceptor } from './common/trace-route.interceptor';
import { createValidationPipe } from './common/validation.pipe';
import { mountOpenApi } from './openapi';

/** Deeper than any body the API accepts (llmConfig, pricing and inputs are shallow). */
const MAX_JSON_DEPTH = 32;

/** Builds the HTTP application; main.ts and the e2e suites share it. */
export async function createApiApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    logger: createAppLogger(config.log),
    bodyParser: false,
  });
  app.use(requireJsonBodies);
  app.useBodyParser('json', { limit: config.http.bodyLimit });
  app.use(screenJsonBodies(MAX_JSON_DEPTH));
  app.useGlobalPipes(createValidationPipe());
  if (config.telemetry.tracesEnabled) app.useGlobalInterceptors(new TraceRouteInterceptor());
  app.disable('x-powered-by');
  app.set('trust proxy', parseTrustProxy(config.http.trustProxy));
  mountOpenApi(app, config);
  return app;
}

/** Express accepts true/false, a hop count, or a list of addresses/subnets. */
function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}
