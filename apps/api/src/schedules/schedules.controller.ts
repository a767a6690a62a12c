import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Auth, AuthContext, TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { PageQuery } from '../common/page.query';
import { ExecutionView, toExecutionView } from '../executions/execution.view';
import { CreateScheduleDto } from './dto/create-schedule.dto';
import { ListSchedulesQuery } from './dto/list-schedules.query';
import { UpdateScheduleDto } from './dto/update-schedule.dto';
import {
  ScheduleFiringPage,
  SchedulePage,
  ScheduleView,
  toFiringView,
  toScheduleView,
} from './schedule.view';
import { SchedulesService } from './schedules.service';

const agentIdOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('agent') });
const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('schedule') });

@ApiTags('schedules')
@ApiBearerAuth()
@Controller('v1')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post('agents/:agentId/schedules')
  @ApiOperation({ summary: 'Run an agent on a cron schedule (PostgreSQL is its truth)' })
  @ApiCreatedResponse({ type: ScheduleView, description: 'the schedule, with nextRunAt' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'validation_failed' })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'the agent is not one of yours' })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponse,
    description: 'invalid_cron or invalid_timezone, with the reason',
  })
  async create(
    @Auth() { tenantId, apiKeyId }: AuthContext,
    @Param('agentId', agentIdOr404) agentId: string,
    @Body() body: CreateScheduleDto,
  ): Promise<ScheduleView> {
    return toScheduleView(await this.schedules.create(tenantId, apiKeyId, agentId, body));
  }

  @Get('schedules')
  @ApiOperation({ summary: 'List schedules, newest first, optionally of one agent' })
  @ApiOkResponse({ type: SchedulePage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async list(
    @TenantId() tenantId: string,
    @Query() query: ListSchedulesQuery,
  ): Promise<SchedulePage> {
    const page = await this.schedules.list(tenantId, query);
    return { data: page.data.map(toScheduleView), nextCursor: page.nextCursor };
  }

  @Get('schedules/:id')
  @ApiOperation({ summary: 'A schedule: its cron, next and last run, and fired/skipped counts' })
  @ApiOkResponse({ type: ScheduleView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<ScheduleView> {
    return toScheduleView(await this.schedules.get(tenantId, id));
  }

  @Patch('schedules/:id')
  @ApiOperation({ summary: 'Change a schedule; nextRunAt is computed again from now' })
  @ApiOkResponse({ type: ScheduleView })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'validation_failed' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponse,
    description: 'invalid_cron or invalid_timezone, with the reason',
  })
  async update(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Body() body: UpdateScheduleDto,
  ): Promise<ScheduleView> {
    return toScheduleView(await this.schedules.update(tenantId, id, body));
  }

  @Delete('schedules/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a schedule and its firings; its executions stay' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse })
  async remove(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    await this.schedules.remove(tenantId, id);
  }

  @Post('schedules/:id/trigger')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Run the schedule once now; answers with the execution' })
  @ApiAcceptedResponse({ type: ExecutionView, description: 'the execution, queued' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({
    type: ErrorResponse,
    description: 'agent_not_active: the agent cannot take executions',
  })
  @ApiTooManyRequestsResponse({
    type: ErrorResponse,
    description: 'queue_full: too many waiting executions; retry after `Retry-After` seconds',
  })
  async trigger(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<ExecutionView> {
    const { execution } = await this.schedules.trigger(tenantId, id);
    return toExecutionView(execution);
  }

  @Get('schedules/:id/firings')
  @ApiOperation({
    summary: 'Fire times, newest first: fired (with the execution) or skipped (with the reason)',
  })
  @ApiOkResponse({ type: ScheduleFiringPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async firings(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Query() query: PageQuery,
  ): Promise<ScheduleFiringPage> {
    const page = await this.schedules.firings(tenantId, id, query);
    return { data: page.data.map(toFiringView), nextCursor: page.nextCursor };
  }
}
