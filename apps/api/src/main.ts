// First: the compile cache and tracing must start before anything else loads.
import './compile-cache';
import { tracing } from './tracing';
import { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@agentq/config';
import { formatDuration } from '@agentq/logging';
import { createApiApp } from './create-api-app';
import { KnowledgeVectorSupport } from './knowledge/knowledge-vector-support.service';

// After the grace period, how long closing may still take before the process just exits.
const LAST_RESORT_MS = 5_000;

async function bootstrap() {
  const config = loadConfigOrExit();
  const logger = new Logger('ApiMain');
  const app = await createApiApp(config);
  // Every interface (Fastify alone would listen on localhost only, unreachable in a container).
  await app.listen(config.http.port, '0.0.0.0');
  logger.log(
    `agentq API listening on ${await app.getUrl()} (knowledge vectors: ${app.get(KnowledgeVectorSupport).describe()})`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.http.shutdownGraceMs;
    logger.log(
      `${signal}: no new connections; finishing requests in flight (up to ${formatDuration(graceMs)})`,
    );
    // Event streams and slow clients would hold the close open: cut them at the deadline.
    const server: Server = app.getHttpServer();
    setTimeout(() => {
      logger.warn('grace period over; closing the connections still open');
      server.closeAllConnections();
    }, graceMs).unref();
    setTimeout(() => {
      logger.error('the API did not close in time; exiting');
      process.exit(1);
    }, graceMs + LAST_RESORT_MS).unref();
    try {
      // Stops accepting, waits for requests in flight, then closes PostgreSQL and Redis.
      await app.close();
    } catch (error) {
      logger.error(`error while stopping: ${(error as Error).message}`);
      process.exit(1);
    }
    await tracing?.shutdown().catch(() => undefined);
    logger.log('API stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

bootstrap().catch((error: Error) => {
  new Logger('ApiMain').error(`API failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});
