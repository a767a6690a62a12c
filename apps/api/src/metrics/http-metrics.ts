import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@agentq/metrics';
import { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { Counter, Histogram, Registry } from 'prom-client';

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The API's HTTP series; one instance per registry. */
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
 * An onResponse hook counting requests and their latency by route pattern
 * (`/v1/agents/:agentId/executions`, never the raw URL, so ids do not become label values);
 * unmatched paths share one label.
 */
export function recordHttpMetrics(metrics: HttpMetrics) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    metrics.requests.inc({ method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method, route }, reply.elapsedTime / 1_000);
    done();
  };
}
