import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { UsageQuery } from './dto/usage.query';
import { UsageService } from './usage.service';

@ApiTags('usage')
@ApiBearerAuth()
@Controller('v1')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get('agents/:id/stats')
  @ApiOperation({ summary: 'Lifetime totals and today/week/month counts for an agent' })
  stats(
    @TenantId() tenantId: string,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('agent') }))
    id: string,
  ) {
    return this.usage.agentStats(tenantId, id);
  }

  @Get('usage')
  @ApiOperation({
    summary: 'Executions, tokens, cost and average duration grouped by agent, day or model',
  })
  list(@TenantId() tenantId: string, @Query() query: UsageQuery) {
    return this.usage.usage(tenantId, query);
  }
}
