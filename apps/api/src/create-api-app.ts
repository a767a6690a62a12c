import { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import fastifyCookie from '@fastify/cookie';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '@agentq/config';
import { createAppLogger } from '@agentq/logging';
import { ApiModule } from './api.module';
import { FailedAuthLimiter } from './auth/failed-auth-limiter.service';
import { parseJsonBodies, requireJsonBodies } from './common/json-body.middleware';
import { answerUnparsableRequest } from './common/unparsable-request';
import { AuditContextInterceptor } from './common/audit-context.interceptor';
import { TraceRouteInterceptor } from './common/trace-route.interceptor';
import { createValidationPipe } from './common/validation.pipe';
import { consoleAssetsDirectory, mountConsole } from './console/console-assets';
import { recordHttpMetrics, HttpMetrics } from './metrics/http-metrics';
import { mountOpenApi } from './openapi';
import { adminBasicAuth } from './queue-board/admin-basic-auth.hook';
import { QUEUE_BOARD_ROUTE } from './queue-board/queue-board.module';

const KNOWLEDGE_BODY_LIMIT = 4 * 1024 * 1024;

// Deeper than any body the API accepts (llmConfig, pricing and inputs are shallow).
const MAX_JSON_DEPTH = 32;

/** Builds the HTTP application; main.ts and the e2e suites (with a logger of their own) share it. */
export async function createApiApp(
  config: AppConfig,
  logger: LoggerService = createAppLogger(config.log),
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: byteCount(config.http.bodyLimit),
    trustProxy: parseTrustProxy(config.http.trustProxy),
    clientErrorHandler: answerUnparsableRequest,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    logger,
    bodyParser: false,
  });
  const fastify = adapter.getInstance();
  // A knowledge entry holds up to 1 MiB of text, which JSON escaping may make larger: its routes
  // take bigger bodies, so that an over-long content is a 400 naming the field, not a 413.
  fastify.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1/knowledge')) {
      route.bodyLimit = Math.max(byteCount(config.http.bodyLimit), KNOWLEDGE_BODY_LIMIT);
    }
  });
  // Root hooks, added before any plugin (Bull Board's) is registered, so that they reach it too.
  fastify.addHook('onRequest', requireJsonBodies);
  fastify.addHook(
    'onRequest',
    adminBasicAuth(QUEUE_BOARD_ROUTE, config.adminToken, app.get(FailedAuthLimiter)),
  );
  fastify.addHook('onResponse', recordHttpMetrics(app.get(HttpMetrics)));
  // JSON is the only body there is (text/plain included, which Fastify would parse by default).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    parseJsonBodies(MAX_JSON_DEPTH),
  );
  // The console's session cookie (docs/security.md, "The console"); unsigned: it is a random
  // secret looked up by its hash, so a signature would add nothing.
  await app.register(fastifyCookie);
  await mountConsole(fastify, consoleAssetsDirectory());
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new AuditContextInterceptor());
  if (config.telemetry.tracesEnabled) app.useGlobalInterceptors(new TraceRouteInterceptor());
  mountOpenApi(app, config);
  return app;
}

const BYTES_PER_UNIT: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

// HTTP_BODY_LIMIT (`512kb`, `1mb`; validated at boot) in bytes, as Express's body-parser read it.
function byteCount(limit: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(limit);
  if (!match) throw new Error(`HTTP_BODY_LIMIT: not a size: ${limit}`);
  return Number(match[1]) * BYTES_PER_UNIT[match[2].toLowerCase()];
}

// TRUST_PROXY as Express read it: true/false, a hop count, or a list of addresses/subnets.
// Fastify trusts no hop count by itself, so a count becomes Express's rule: the nearest N hops.
function parseTrustProxy(
  value: string,
): boolean | string | ((address: string, hop: number) => boolean) {
  if (value === 'true' || value === 'false') return value === 'true';
  if (!/^\d+$/.test(value)) return value;
  const hops = Number(value);
  return (_address, hop) => hop < hops;
}
