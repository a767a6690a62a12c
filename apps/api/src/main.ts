import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@agentq/config';
import { createApiApp } from './create-api-app';

async function bootstrap() {
  const config = loadConfigOrExit();
  const app = await createApiApp(config);
  await app.listen(config.http.port);
  new Logger('ApiMain').log(`agentq API listening on ${await app.getUrl()}`);
}

void bootstrap();
