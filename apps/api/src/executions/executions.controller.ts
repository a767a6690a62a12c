import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { currentLifecycleEvent } from '@agentq/executions';
import {
  ExecutionEvent,
  executionEventId,
  isExecutionEventAfter,
  TERMINAL_EVENT_TYPES,
} from '@agentq/jobs';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Auth, AuthContext, TenantId } from '../auth/auth.decorators';
import { ConflictError, NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { EventStream } from '../common/event-stream';
import { ExecutionListQuery, ListExecutionsQuery } from './dto/list-executions.query';
import { TenantEventsQuery } from './dto/tenant-events.query';
import { ExecutionCancellation } from './execution-cancellation.service';
import { ExecutionEventStream } from './execution-event-stream.service';
import { ExecutionOutputStream } from './execution-output-stream.service';
import { ExecutionReader } from './execution-reader.service';
import { ExecutionTools } from './execution-tools.service';
import { SubmitToolOutputsDto } from './dto/submit-tool-outputs.dto';
import { SubmitApprovalsDto } from './dto/approvals.dto';
import { RerunExecutionDto } from './dto/rerun-execution.dto';
import { BulkRerunDto, BulkRerunView } from './dto/bulk-rerun.dto';
import { ExecutionReruns } from './execution-reruns.service';
import {
  AttributionView,
  ExecutionDetailView,
  ExecutionEventView,
  ExecutionPage,
  ExecutionStepView,
  ExecutionView,
  toExecutionStepView,
  toExecutionView,
} from './execution.view';

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('execution') });

@ApiTags('executions')
@ApiBearerAuth()
@ApiExtraModels(ExecutionEventView)
@Controller('v1/executions')
export class ExecutionsController {
  constructor(
    private readonly reader: ExecutionReader,
    private readonly cancellation: ExecutionCancellation,
    private readonly events: ExecutionEventStream,
    private readonly outputs: ExecutionOutputStream,
    private readonly tools: ExecutionTools,
    private readonly reruns: ExecutionReruns,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List executions, newest first (cursor pagination)' })
  @ApiQuery({ type: ListExecutionsQuery })
  @ApiOkResponse({ type: ExecutionPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async list(
    @TenantId() tenantId: string,
    @ExecutionListQuery() query: ListExecutionsQuery,
  ): Promise<ExecutionPage> {
    const page = await this.reader.list(tenantId, query);
    return { data: page.data.map(toExecutionView), nextCursor: page.nextCursor };
  }

  @Post('rerun')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rerun ended executions in bulk, by filter (dry run: count only)',
    description:
      'Agent, status, error code, creation time range and tags; oldest first, at most limit ' +
      '(10,000) per call, `more` when others match. Each rerun is a new execution linked by ' +
      'rerunOf, from scratch, submitted and paced through the normal queue, run for the key ' +
      'that asked; a failed task of a running plan is rerun inside its plan.',
  })
  @ApiOkResponse({ type: BulkRerunView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async bulkRerun(
    @Auth() { tenantId, apiKeyId }: AuthContext,
    @Body() body: BulkRerunDto,
  ): Promise<BulkRerunView> {
    return this.reruns.bulk(tenantId, apiKeyId, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An execution: status, input, output, error, usage and timings' })
  @ApiOkResponse({ type: ExecutionDetailView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<ExecutionDetailView> {
    const { execution, task, reruns } = await this.reader.detail(tenantId, id);
    const view = toExecutionView(execution);
    const approvalUrl = this.tools.approvalUrl(execution);
    if (approvalUrl && view.requiredAction) view.requiredAction.approvalUrl = approvalUrl;
    return { ...view, planId: task?.planId ?? null, planTaskKey: task?.key ?? null, reruns };
  }

  @Get(':id/steps')
  @ApiOperation({
    summary: 'The steps of an execution: each model call and tool call, in order',
    description:
      'Model steps carry their usage; the execution’s usage is their sum, failed attempts ' +
      'included. Results are cut at 16 KiB (resultLength is the full length).',
  })
  @ApiOkResponse({ type: [ExecutionStepView] })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async steps(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<ExecutionStepView[]> {
    return (await this.tools.steps(tenantId, id)).map(toExecutionStepView);
  }

  @Post(':id/tool-outputs')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Answer the client tool calls of an execution in requires_action; it resumes',
    description:
      'Every pending tool call exactly once (409 tool_outputs_mismatch otherwise); 409 ' +
      'not_waiting when the execution is not in requires_action. The execution goes back to ' +
      '`queued` and any worker carries on.',
  })
  @ApiOkResponse({ type: ExecutionView, description: 'the execution, `queued` again' })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  async submitToolOutputs(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Body() body: SubmitToolOutputsDto,
  ): Promise<ExecutionView> {
    return toExecutionView(await this.tools.submitToolOutputs(tenantId, id, body));
  }

  @Post(':id/approvals')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve or deny the tool calls an execution waits on; it resumes',
    description:
      'For requiredAction.type "approval": every call awaiting approval exactly once (409 ' +
      'approval_mismatch otherwise). Approved calls run; a denied one is recorded as a tool ' +
      'step whose answer tells the model it was denied (and why). 409 not_waiting when the ' +
      'execution does not wait for approval, 409 action_timeout after the deadline.',
  })
  @ApiOkResponse({ type: ExecutionView, description: 'the execution, `queued` again' })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  async submitApprovals(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Body() body: SubmitApprovalsDto,
  ): Promise<ExecutionView> {
    return toExecutionView(await this.tools.submitApprovals(tenantId, id, body));
  }

  @Post(':id/rerun')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Rerun an ended execution, from scratch or from a step, with optional overrides',
    description:
      'A new execution of the same agent, linked by `rerunOf`, with the original settings. ' +
      'With fromStep = k, steps 0..k-1 are copied as committed history (`reused`: not called ' +
      'and not charged again) and the run goes on from step k. It runs for the key that asked ' +
      '(apiKeyId), with the original user, tags and metadata. A failed or cancelled task of a ' +
      'plan still running is rerun inside its plan (the task points at the rerun, its skipped ' +
      'dependents run after it); any other is standalone. 409 not_terminal for an ' +
      'execution that has not ended; 400 naming fromStep when it is not where a model call ' +
      'starts.',
  })
  @ApiCreatedResponse({ type: ExecutionView, description: 'the new execution, `queued`' })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  async rerun(
    @Auth() { tenantId, apiKeyId }: AuthContext,
    @Param('id', uuidOr404) id: string,
    @Body() body: RerunExecutionDto,
  ): Promise<ExecutionView> {
    return toExecutionView((await this.reruns.rerun(tenantId, apiKeyId, id, body)).execution);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a queued or running execution (409 if it already ended)' })
  @ApiOkResponse({ type: ExecutionView, description: 'the execution, now `cancelled`' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'already_terminal' })
  async cancel(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<ExecutionView> {
    return toExecutionView(await this.cancellation.cancel(tenantId, id));
  }

  @Get('events')
  @ApiOperation({
    summary: "Every lifecycle event of the tenant's executions, live, as Server-Sent Events",
    description:
      'From now on (no replay; read GET /v1/executions for the state so far), optionally for ' +
      'one agent. `data:` is an ExecutionEventView as JSON. The stream stays open until the ' +
      'client closes it. The console keeps its Runs page live with it.',
  })
  @ApiOkResponse({
    description: 'text/event-stream of ExecutionEventView events',
    content: {
      'text/event-stream': {
        schema: {
          type: 'string',
          description: `Server-Sent Events; each \`data:\` is a ${getSchemaPath(ExecutionEventView)}`,
        },
      },
    },
  })
  tenantStream(
    @TenantId() tenantId: string,
    @Query() query: TenantEventsQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const stream = EventStream.open(request, reply);
    stream.comment('live');
    stream.onClose(
      this.events.listenTenant(tenantId, (event) => {
        if (query.agentId && event.agentId !== query.agentId) return;
        const view = toExecutionEventView(event);
        stream.send({ id: view.id, event: view.type, data: view });
      }),
    );
  }

  @Get(':id/events')
  @ApiOperation({
    summary: 'Lifecycle events as Server-Sent Events, ending at the terminal one',
    description:
      'First the current state, then each transition as it happens. Every event has an `id:` ' +
      '(`<attempt>.<phase>`); a client reconnecting with `Last-Event-ID` gets only what came ' +
      'after it. `data:` is an ExecutionEventView as JSON; its `at` is when the transition ' +
      'happened.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'resume after this event' })
  @ApiOkResponse({
    description: 'text/event-stream of ExecutionEventView events',
    content: {
      'text/event-stream': {
        schema: {
          type: 'string',
          description: `Server-Sent Events; each \`data:\` is a ${getSchemaPath(ExecutionEventView)}`,
        },
      },
    },
  })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async stream(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.reader.get(tenantId, id);
    const stream = EventStream.open(request, reply);
    let lastEventId = EventStream.lastEventId(request);
    const send = (event: ExecutionEvent, attribution?: AttributionView) => {
      if (stream.closed) return;
      const view = { ...toExecutionEventView(event), ...(attribution ? { attribution } : {}) };
      // Skips what the client already has: a replayed snapshot, or an event that raced it.
      if (lastEventId === null || isExecutionEventAfter(view.id, lastEventId)) {
        stream.send({ id: view.id, event: view.type, data: view });
        lastEventId = view.id;
      }
      if (TERMINAL_EVENT_TYPES.includes(event.type)) stream.end();
    };
    stream.onClose(this.events.listen(id, send));

    // The current state first, read after subscribing so nothing falls between the two.
    const current = await this.reader.get(tenantId, id);
    send(currentLifecycleEvent(current), {
      apiKeyId: current.apiKeyId,
      user: current.endUser,
      tags: current.tags ?? [],
      metadata: current.metadata ?? {},
    });
  }

  @Get(':id/stream')
  @ApiOperation({
    summary: 'Output deltas, steps and the outcome of a streamed execution, as Server-Sent Events',
    description:
      'For executions submitted with `stream: true` (or whose agent streams by default). From ' +
      'the start, then live: `delta` ({attempt, text}), `reset` ({attempt, reason}: drop the ' +
      'text received so far — a retried attempt or a structured-output repair starts over), ' +
      '`step`, `requires_action`, and one terminal event (`succeeded`, `failed`, `cancelled`, ' +
      'with the output or error) that ends it. Every event but a terminal one read from the row ' +
      'has an `id:`; reconnect with `Last-Event-ID` to resume after it. Kept for an hour after ' +
      'the last event; later, only the terminal event. 409 `not_streamed` for other executions ' +
      '(use GET /v1/executions/:id/events and GET /v1/executions/:id).',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'resume after this event' })
  @ApiOkResponse({
    description: 'text/event-stream; each `data:` is the event as JSON',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'not_streamed' })
  async outputStream(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const execution = await this.reader.get(tenantId, id);
    if (!execution.stream) {
      throw new ConflictError(
        'not_streamed',
        'this execution was not submitted with stream: true; follow GET /v1/executions/:id/events',
      );
    }
    await this.outputs.pipe(
      tenantId,
      execution,
      EventStream.lastEventId(request),
      EventStream.open(request, reply),
    );
  }
}

function toExecutionEventView(event: ExecutionEvent): ExecutionEventView {
  return {
    id: executionEventId(event),
    type: event.type,
    executionId: event.executionId,
    agentId: event.agentId,
    status: event.status,
    attempt: event.attempt,
    error: event.error,
    requiredAction: event.requiredAction,
    at: event.at,
  };
}
