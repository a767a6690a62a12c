import { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@agentq/config';
import { createAppLogger } from '@agentq/logging';
import { WorkerModule } from './worker.module';

/**
 * The worker: an application context (no HTTP) whose BullMQ processors start on init; main.ts
 * and the e2e suites (with a logger of their own) share it.
 */
export async function createWorkerApp(
  config: AppConfig,
  logger: LoggerService = createAppLogger(config.log),
): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
  await app.init();
  return app;
}
