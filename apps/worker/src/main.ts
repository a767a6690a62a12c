import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@agentq/config';
import { createWorkerApp } from './create-worker-app';
import { WORKER_ID } from './worker-identity';

async function bootstrap() {
  const config = loadConfigOrExit();
  const logger = new Logger('WorkerMain');
  const app = await createWorkerApp(config);
  logger.log(`worker ${WORKER_ID} running with concurrency ${config.worker.concurrency}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: finishing active jobs (up to ${config.worker.shutdownGraceMs} ms)`);
    const deadline = setTimeout(() => {
      logger.error('grace period over; exiting with jobs still active (they will be retried)');
      process.exit(1);
    }, config.worker.shutdownGraceMs);
    deadline.unref();
    await app.close();
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
