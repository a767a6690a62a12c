import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { UsageQuery } from './dto/usage.query';
import { UsageService } from './usage.service';
import { AgentStatsView, UsageReportView } from './usage.view';

@ApiTags('usage')
@ApiBearerAuth()
@Controller('v1')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get('agents/:id/stats')
  @ApiOperation({ summary: 'Lifetime totals and today/week/month counts for an agent' })
  @ApiOkResponse({ type: AgentStatsView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  stats(
    @TenantId() tenantId: string,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('agent') }))
    id: string,
  ): Promise<AgentStatsView> {
    return this.usage.agentStats(tenantId, id);
  }

  @Get('usage')
  @ApiOperation({
    summary: 'Executions, tokens, cost and average duration grouped by agent, day or model',
  })
  @ApiOkResponse({ type: UsageReportView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  list(@TenantId() tenantId: string, @Query() query: UsageQuery): Promise<UsageReportView> {
    return this.usage.usage(tenantId, query);
  }
}
