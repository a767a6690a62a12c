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
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { toExecutionView } from '@agentq/executions';
import { TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { PageQuery } from '../common/page.query';
import { CreateScheduleDto } from './dto/create-schedule.dto';
import { ListSchedulesQuery } from './dto/list-schedules.query';
import { UpdateScheduleDto } from './dto/update-schedule.dto';
import { toFiringView, toScheduleView } from './schedule.view';
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
  @ApiResponse({ status: 201, description: 'the schedule, with nextRunAt' })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponse,
    description: 'invalid_cron or invalid_timezone, with the reason',
  })
  async create(
    @TenantId() tenantId: string,
    @Param('agentId', agentIdOr404) agentId: string,
    @Body() body: CreateScheduleDto,
  ) {
    return toScheduleView(await this.schedules.create(tenantId, agentId, body));
  }

  @Get('schedules')
  @ApiOperation({ summary: 'List schedules, newest first, optionally of one agent' })
  async list(@TenantId() tenantId: string, @Query() query: ListSchedulesQuery) {
    const page = await this.schedules.list(tenantId, query);
    return { data: page.data.map(toScheduleView), nextCursor: page.nextCursor };
  }

  @Get('schedules/:id')
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    return toScheduleView(await this.schedules.get(tenantId, id));
  }

  @Patch('schedules/:id')
  @ApiOperation({ summary: 'Change a schedule; nextRunAt is computed again from now' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponse })
  async update(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Body() body: UpdateScheduleDto,
  ) {
    return toScheduleView(await this.schedules.update(tenantId, id, body));
  }

  @Delete('schedules/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  async remove(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    await this.schedules.remove(tenantId, id);
  }

  @Post('schedules/:id/trigger')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Run the schedule once now; answers with the execution' })
  async trigger(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    const { execution } = await this.schedules.trigger(tenantId, id);
    return toExecutionView(execution);
  }

  @Get('schedules/:id/firings')
  @ApiOperation({
    summary: 'Fire times, newest first: fired (with the execution) or skipped (with the reason)',
  })
  async firings(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Query() query: PageQuery,
  ) {
    const page = await this.schedules.firings(tenantId, id, query);
    return { data: page.data.map(toFiringView), nextCursor: page.nextCursor };
  }
}
