import { Controller, Get } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators';
import { ErrorResponse } from '../common/error-response';
import { KnowledgeVectorSupport } from '../knowledge/knowledge-vector-support.service';
import { HEALTH_MODELS, LivenessView, ReadinessView } from './health.view';
import { RedisHealthIndicator } from './redis-health.indicator';

@ApiTags('health')
@ApiExtraModels(...HEALTH_MODELS)
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly vectors: KnowledgeVectorSupport,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ type: LivenessView })
  live(): LivenessView {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer, the API can take work' })
  @ApiOkResponse({ type: ReadinessView })
  @ApiServiceUnavailableResponse({
    type: ErrorResponse,
    description: 'PostgreSQL or Redis does not answer',
  })
  @HealthCheck({ swaggerDocumentation: false })
  ready() {
    return this.health.check([
      () => this.database.pingCheck('postgres').withTimeout(1_500),
      () => this.redis.isHealthy('redis'),
      // Which vector path knowledge search uses (decided at boot): informative, always up.
      () =>
        this.indicators.check('knowledge').up({
          vectorBackend: this.vectors.current.backend,
          pgvectorAvailable: this.vectors.current.pgvectorAvailable,
        }),
    ]);
  }
}
