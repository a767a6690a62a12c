import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { TenantId } from '../auth/auth.decorators';
import { ErrorResponse } from '../common/error-response';
import { OperationsQuery } from './operations.query';
import { OperationsService } from './operations.service';
import { OperationsView } from './operations.view';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('v1/operations')
export class OperationsController {
  constructor(private readonly operations: OperationsService) {}

  @Get()
  @ApiOperation({
    summary: "The tenant's queue by state, executions finished per minute, and worker capacity",
    description:
      'Unfinished executions by state (waiting, delayed, active, requiresAction), in all and ' +
      'per agent; executions that ended in the last `minutes` (succeeded, failed, cancelled), ' +
      'in all and per minute; the live workers and their summed concurrency.',
  })
  @ApiOkResponse({ type: OperationsView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  summary(@TenantId() tenantId: string, @Query() query: OperationsQuery): Promise<OperationsView> {
    return this.operations.summary(tenantId, query.minutes ?? 60);
  }
}
