// First: the compile cache and tracing must start before anything else loads.
import './compile-cache';
import { tracing } from './tracing';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@agentq/config';
import { formatDuration } from '@agentq/logging';
import { createWorkerApp } from './create-worker-app';
import { WORKER_ID } from './worker-identity';

// After the grace period, running provider calls are interrupted and their jobs handed back;
// if closing still takes longer than this, the process exits anyway (the jobs' locks expire
// and other workers take them over).
const LAST_RESORT_MS = 15_000;

async function bootstrap() {
  const config = loadConfigOrExit();
  const logger = new Logger('WorkerMain');
  const app = await createWorkerApp(config);
  logger.log(
    `worker ${WORKER_ID} running with concurrency ${config.worker.concurrency} on Node.js ${process.version}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.worker.shutdownGraceMs;
    logger.log(`${signal}: no new jobs; finishing active ones (up to ${formatDuration(graceMs)})`);
    setTimeout(() => {
      logger.error('the worker did not stop in time; exiting with jobs still active');
      process.exit(1);
    }, graceMs + LAST_RESORT_MS).unref();
    try {
      // Closes the BullMQ workers (active jobs finish, their outcomes committed and
      // acknowledged), then PostgreSQL and Redis.
      await app.close();
    } catch (error) {
      logger.error(`error while stopping: ${(error as Error).message}`);
      process.exit(1);
    }
    await tracing?.shutdown().catch(() => undefined);
    logger.log('worker stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

bootstrap().catch((error: Error) => {
  new Logger('WorkerMain').error(`worker failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});
