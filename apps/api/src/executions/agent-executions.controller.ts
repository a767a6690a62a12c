import {
  applyDecorators,
  Body,
  Controller,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
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
  ApiPaymentRequiredResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Auth, AuthContext } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { SubmitExecutionBatchDto, SubmitExecutionDto } from './dto/submit-execution.dto';
import { ExecutionEventStream } from './execution-event-stream.service';
import { ExecutionReader } from './execution-reader.service';
import { ExecutionSubmissions } from './execution-submission.service';
import {
  ExecutionBatchView,
  ExecutionView,
  SubmittedExecutionView,
  toExecutionView,
} from './execution.view';

// What refuses a submission, the same for one execution and a batch.
const ApiSubmissionErrors = () =>
  applyDecorators(
    ApiBadRequestResponse({ type: ErrorResponse, description: 'validation_failed' }),
    ApiNotFoundResponse({
      type: ErrorResponse,
      description: 'the agent, sessionId or handoffTo agent is not one of yours',
    }),
    ApiConflictResponse({
      type: ErrorResponse,
      description: 'the agent or session cannot take executions (for example session_ended)',
    }),
    ApiPaymentRequiredResponse({
      type: ErrorResponse,
      description: 'budget_exceeded: an end-user or API-key budget is spent; nothing was written',
    }),
    ApiTooManyRequestsResponse({
      type: ErrorResponse,
      description:
        "queue_full: too many waiting executions; rate_limited: the agent's rateLimitPerKey " +
        'is reached for a key value; retry after `Retry-After` seconds, nothing was written',
    }),
    ApiServiceUnavailableResponse({
      type: ErrorResponse,
      description: 'PostgreSQL or the job queue (Redis) is unavailable; nothing was submitted',
    }),
  );

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('agent') });

@ApiTags('executions')
@ApiBearerAuth()
@Controller('v1/agents/:agentId/executions')
export class AgentExecutionsController {
  constructor(
    private readonly submissions: ExecutionSubmissions,
    private readonly reader: ExecutionReader,
    private readonly events: ExecutionEventStream,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Submit an execution to an agent' })
  @ApiAcceptedResponse({
    type: ExecutionView,
    description:
      'queued (or still running after `wait`, or waiting in requires_action); a debounced ' +
      'submission answers with the execution its key collapsed into',
  })
  @ApiOkResponse({
    type: ExecutionView,
    description: 'finished within `wait`, or an idempotency key matched',
  })
  @ApiSubmissionErrors()
  async submit(
    @Auth() { tenantId, apiKeyId }: AuthContext,
    @Param('agentId', uuidOr404) agentId: string,
    @Body() body: SubmitExecutionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExecutionView> {
    const waitMs = (body.wait ?? 0) * 1_000;
    const { execution, created, collapsed } = await this.submissions.submit(
      tenantId,
      apiKeyId,
      agentId,
      body,
    );
    let current = execution;
    if (waitMs > 0 && !isSettled(current.status)) {
      const waiter = this.events.waitUntilSettled(execution.id, waitMs);
      // Re-read after subscribing: an event published before we listened is not lost.
      current = await this.reader.get(tenantId, execution.id);
      if (!isSettled(current.status)) {
        await waiter.done;
        current = await this.reader.get(tenantId, execution.id);
      }
      waiter.cancel();
    }
    const finished = waitMs > 0 && isTerminal(current.status);
    void reply.status((created || collapsed) && !finished ? HttpStatus.ACCEPTED : HttpStatus.OK);
    return toExecutionView(current);
  }

  @Post('batch')
  @ApiOperation({ summary: 'Submit up to 1,000 executions to an agent in one call' })
  @ApiAcceptedResponse({ type: ExecutionBatchView })
  @ApiSubmissionErrors()
  async submitBatch(
    @Auth() { tenantId, apiKeyId }: AuthContext,
    @Param('agentId', uuidOr404) agentId: string,
    @Body() body: SubmitExecutionBatchDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ExecutionBatchView> {
    const submissions = await this.submissions.submitMany(
      tenantId,
      apiKeyId,
      agentId,
      body.executions,
    );
    void reply.status(HttpStatus.ACCEPTED);
    return {
      data: submissions.map((s): SubmittedExecutionView => ({
        ...toExecutionView(s.execution),
        created: s.created,
      })),
    };
  }
}

function isTerminal(status: string) {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

// Nothing more happens without the client: ended, or waiting for its tool outputs.
function isSettled(status: string) {
  return isTerminal(status) || status === 'requires_action';
}
