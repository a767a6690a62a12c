import { Body, Controller, HttpStatus, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { SubmitExecutionBatchDto, SubmitExecutionDto } from './dto/submit-execution.dto';
import { ExecutionEventStream } from './execution-event-stream.service';
import { ExecutionReader } from './execution-reader.service';
import { ExecutionSubmissions } from './execution-submission.service';
import { toExecutionView } from './execution.view';

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
  @ApiResponse({ status: 202, description: 'queued (or still running after `wait`)' })
  @ApiResponse({
    status: 200,
    description: 'finished within `wait`, or an idempotency key matched',
  })
  async submit(
    @TenantId() tenantId: string,
    @Param('agentId', uuidOr404) agentId: string,
    @Body() body: SubmitExecutionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const waitMs = (body.wait ?? 0) * 1_000;
    const { execution, created } = await this.submissions.submit(tenantId, agentId, body);
    let current = execution;
    if (waitMs > 0 && !isTerminal(current.status)) {
      const waiter = this.events.waitForTerminal(execution.id, waitMs);
      // Re-read after subscribing: an event published before we listened is not lost.
      current = await this.reader.get(tenantId, execution.id);
      if (!isTerminal(current.status)) {
        await waiter.done;
        current = await this.reader.get(tenantId, execution.id);
      }
      waiter.cancel();
    }
    const finished = waitMs > 0 && isTerminal(current.status);
    void reply.status(created && !finished ? HttpStatus.ACCEPTED : HttpStatus.OK);
    return toExecutionView(current);
  }

  @Post('batch')
  @ApiOperation({ summary: 'Submit up to 1,000 executions to an agent in one call' })
  @ApiResponse({ status: 202 })
  async submitBatch(
    @TenantId() tenantId: string,
    @Param('agentId', uuidOr404) agentId: string,
    @Body() body: SubmitExecutionBatchDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const submissions = await this.submissions.submitMany(tenantId, agentId, body.executions);
    void reply.status(HttpStatus.ACCEPTED);
    return {
      data: submissions.map((s) => ({ ...toExecutionView(s.execution), created: s.created })),
    };
  }
}

function isTerminal(status: string) {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}
