import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` writes the console (Vite): dist/console under the repository root. */
export function consoleAssetsDirectory(): string {
  // Built code runs from <root>/dist/apps/api/src/console, the test stacks from
  // <root>/apps/api/src/console: either way the root is the part before apps/ or dist/.
  const marker = `${sep}dist${sep}apps${sep}`;
  const root = __dirname.includes(marker)
    ? __dirname.slice(0, __dirname.indexOf(marker))
    : resolve(__dirname, '../../../..');
  return join(root, 'dist', 'console');
}

/** Headers of the console's page: never cached (it names the current hashed assets), locked down. */
export const CONSOLE_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache',
  // Scripts and styles only from the API's own origin (Vite emits no inline script); the page
  // talks to nothing else and may not be framed. Styles: React sets style attributes.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

/**
 * Serves the built console under /console: hashed assets as immutable for a year, and
 * index.html, no-cache, for every other path under /console (the app routes in the browser,
 * so a deep link like /console/runs/<id> loads the same page). No Node server of its own.
 */
export async function mountConsole(fastify: FastifyInstance, directory: string): Promise<void> {
  const indexFile = join(directory, 'index.html');
  const page = existsSync(indexFile) ? readFileSync(indexFile) : null;
  const serve = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (!page) {
      return reply.code(503).send({
        error: { code: 'console_not_built', message: 'the console is not built: npm run build' },
      });
    }
    return reply.headers(CONSOLE_PAGE_HEADERS).send(page);
  };
  if (page) {
    await fastify.register(fastifyStatic, {
      root: join(directory, 'assets'),
      prefix: '/console/assets/',
      decorateReply: false,
      index: false,
      immutable: true,
      maxAge: '365d',
    });
  }
  fastify.get('/console', serve);
  fastify.get('/console/*', serve);
}
