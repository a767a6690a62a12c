import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { METRICS_REGISTRY } from '@agentq/metrics';
import { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, Registry } from 'prom-client';

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The API's HTTP series; one instance per registry (the middleware may be instantiated more). */
@Injectable()
export class HttpMetrics {
  readonly requests: Counter;
  readonly duration: Histogram;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.requests = new Counter({
      name: 'agentq_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'agentq_http_request_duration_seconds',
      help: 'HTTP request time until the response is sent, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    });
  }
}

/**
 * Counts requests and their latency by route pattern (`/v1/agents/:agentId/executions`, never
 * the raw URL, so ids do not become label values); unmatched paths share one label.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: HttpMetrics) {}

  use(request: Request, response: Response, next: NextFunction) {
    const startedAt = performance.now();
    response.once('finish', () => {
      const path = (request.route as { path?: string } | undefined)?.path;
      const route = typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` : 'unmatched';
      const method = request.method;
      this.metrics.requests.inc({ method, route, status: String(response.statusCode) });
      this.metrics.duration.observe({ method, route }, (performance.now() - startedAt) / 1_000);
    });
    next();
  }
}
