import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@agentq/config';
import { createApiApp } from './create-api-app';

const SHUTDOWN_GRACE_MS = 10_000;

async function bootstrap() {
  const config = loadConfigOrExit();
  const logger = new Logger('ApiMain');
  const app = await createApiApp(config);
  await app.listen(config.http.port);
  logger.log(`agentq API listening on ${await app.getUrl()}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: no new connections; finishing requests in flight`);
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

bootstrap().catch((error: Error) => {
  new Logger('ApiMain').error(`API failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});
