import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { METRICS_REGISTRY } from '@agentq/metrics';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';

/** What the worker's HTTP server answers; deploy/kubernetes points its probes and scrapes here. */
export const WORKER_HTTP_PATHS = { metrics: '/metrics', live: '/health/live' } as const;

/**
 * The worker has no HTTP app, so /metrics (and /health/live, for a liveness probe: it answers
 * while the event loop does) is served by a bare node:http server on METRICS_PORT (0: none).
 * A port already taken is logged and the worker runs on without it: losing a scrape target
 * must not stop job processing.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server: Server | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  /** The port it listens on, or null when it does not. */
  get port(): number | null {
    return (this.server?.address() as AddressInfo | null)?.port ?? null;
  }

  async onApplicationBootstrap() {
    const port = this.config.worker.metricsPort;
    if (port === 0) return;
    const server = createServer((request, response) => void this.handle(request, response));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, () => resolve());
      });
      this.server = server;
      this.logger.log(`metrics on http://0.0.0.0:${port}/metrics`);
    } catch (error) {
      this.logger.warn(`metrics server not started on port ${port}: ${(error as Error).message}`);
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse) {
    const path = request.url?.split('?')[0];
    if (request.method === 'GET' && path === WORKER_HTTP_PATHS.live) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}\n');
      return;
    }
    if (request.method !== 'GET' || path !== WORKER_HTTP_PATHS.metrics) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      const body = await this.registry.metrics();
      response.writeHead(200, { 'content-type': this.registry.contentType }).end(body);
    } catch (error) {
      response
        .writeHead(500, { 'content-type': 'text/plain' })
        .end(`${(error as Error).message}\n`);
    }
  }

  async onApplicationShutdown() {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
