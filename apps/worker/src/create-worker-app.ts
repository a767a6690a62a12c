import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@agentq/config';
import { createAppLogger } from '@agentq/logging';
import { WorkerModule } from './worker.module';

/** The worker: an application context (no HTTP) whose BullMQ processors start on init. */
export async function createWorkerApp(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: createAppLogger(config.log),
  });
  await app.init();
  return app;
}
