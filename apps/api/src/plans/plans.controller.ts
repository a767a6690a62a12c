import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Logger,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Auth, AuthContext, TenantId } from '../auth/auth.decorators';
import { EventStream } from '../common/event-stream';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { CreatePlanDto } from './dto/create-plan.dto';
import { ListPlansQuery } from './dto/list-plans.query';
import { PlanPage, PlanView, toPlanView } from './plan.view';
import { PlansService } from './plans.service';

const PLAN_EVENTS_POLL_MS = 250;

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('plan') });

@ApiTags('plans')
@ApiBearerAuth()
@Controller('v1/plans')
export class PlansController {
  private readonly logger = new Logger(PlansController.name);

  constructor(private readonly plans: PlansService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Run a plan: tasks with dependencies, as a DAG of agent executions' })
  @ApiAcceptedResponse({ type: PlanView, description: 'the plan, its root tasks queued' })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'validation_failed' })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponse,
    description:
      'plan_cycle (naming the keys of one cycle), duplicate_task_key, invalid_task_key, unknown_dependency, unreferenced_placeholder, agent_not_found, no_agent_for_capability, project_not_found, plan_too_large; nothing written',
  })
  async create(
    @Auth() { tenantId, apiKeyId }: AuthContext,
    @Body() body: CreatePlanDto,
  ): Promise<PlanView> {
    return toPlanView(await this.plans.create(tenantId, apiKeyId, body));
  }

  @Get()
  @ApiOperation({ summary: 'List plans, newest first, by project and status' })
  @ApiOkResponse({ type: PlanPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async list(@TenantId() tenantId: string, @Query() query: ListPlansQuery): Promise<PlanPage> {
    const page = await this.plans.list(tenantId, query);
    return { data: page.data.map(toPlanView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A plan: status, progress, usage and its tasks with their outputs' })
  @ApiOkResponse({ type: PlanView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string): Promise<PlanView> {
    return toPlanView(await this.plans.get(tenantId, id));
  }

  @Get(':id/events')
  @ApiOperation({
    summary: "The plan's task transitions as Server-Sent Events, ending when the plan ends",
    description:
      'First every task as it stands (`event: task`), then each task transition as it is ' +
      'committed, then one `event: plan` with the final plan status. The stream reads the plan ' +
      'from PostgreSQL every 250 ms.',
  })
  @ApiOkResponse({
    description:
      'text/event-stream; each `data:` is {planId, key, status, executionId} or the plan',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async events(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    let plan = await this.plans.get(tenantId, id);
    const stream = EventStream.open(request, reply);
    const seen = new Map<string, string>();
    let sent = 0;
    try {
      while (!stream.closed) {
        for (const task of plan.tasks) {
          if (seen.get(task.key) === task.status) continue;
          seen.set(task.key, task.status);
          sent += 1;
          const data = {
            planId: id,
            key: task.key,
            status: task.status,
            executionId: task.executionId,
          };
          stream.send({ id: sent, event: 'task', data });
        }
        if (plan.status !== 'running') {
          const data = {
            planId: id,
            status: plan.status,
            progress: plan.progress,
            usage: plan.usage,
          };
          stream.send({ id: sent + 1, event: 'plan', data });
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, PLAN_EVENTS_POLL_MS));
        if (!stream.closed) plan = await this.plans.get(tenantId, id);
      }
    } catch (error) {
      // The headers are out: the stream just ends; the client sees no `event: plan`.
      this.logger.warn(`plan ${id}: event stream ended: ${(error as Error).message}`);
    }
    stream.end();
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel a plan: running and queued tasks cancelled, pending skipped' })
  @ApiOkResponse({ type: PlanView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'already_terminal' })
  async cancel(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<PlanView> {
    return toPlanView(await this.plans.cancel(tenantId, id));
  }
}
