import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { METRICS_REGISTRY } from '@agentq/metrics';
import { FastifyReply } from 'fastify';
import { Registry } from 'prom-client';
import { Public } from '../auth/auth.decorators';

/**
 * Prometheus scrape endpoint. Unauthenticated like the health probes, and like them it carries
 * no tenant data (the per-agent series are on the workers' own METRICS_PORT); keep it off the
 * public internet all the same.
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.type(this.registry.contentType);
    return this.registry.metrics();
  }
}
