import {
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
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { TERMINAL_STATUSES } from '@agentq/database';
import { ExecutionEvent, TERMINAL_EVENT_TYPES } from '@agentq/jobs';
import { FastifyReply, FastifyRequest } from 'fastify';
import { TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { openEventStream } from '../common/event-stream';
import { ListExecutionsQuery } from './dto/list-executions.query';
import { ExecutionCancellation } from './execution-cancellation.service';
import { ExecutionEventStream } from './execution-event-stream.service';
import { ExecutionReader } from './execution-reader.service';
import { toExecutionView } from './execution.view';

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('execution') });
const HEARTBEAT_MS = 15_000;

@ApiTags('executions')
@ApiBearerAuth()
@Controller('v1/executions')
export class ExecutionsController {
  constructor(
    private readonly reader: ExecutionReader,
    private readonly cancellation: ExecutionCancellation,
    private readonly events: ExecutionEventStream,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List executions, newest first (cursor pagination)' })
  async list(@TenantId() tenantId: string, @Query() query: ListExecutionsQuery) {
    const page = await this.reader.list(tenantId, query);
    return { data: page.data.map(toExecutionView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  async get(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    return toExecutionView(await this.reader.get(tenantId, id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a queued or running execution (409 if it already ended)' })
  async cancel(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    return toExecutionView(await this.cancellation.cancel(tenantId, id));
  }

  @Get(':id/events')
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Lifecycle events as Server-Sent Events, ending at the terminal one' })
  async stream(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.reader.get(tenantId, id);
    const response = openEventStream(reply);
    let closed = false;
    const send = (event: ExecutionEvent) => {
      if (closed) return;
      response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      if (TERMINAL_EVENT_TYPES.includes(event.type)) close();
    };
    const unlisten = this.events.listen(id, send);
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unlisten();
      response.end();
    };
    request.raw.on('close', close);

    // The current state first, read after subscribing so nothing falls between the two.
    const current = await this.reader.get(tenantId, id);
    const snapshotType = TERMINAL_STATUSES.includes(current.status)
      ? (current.status as ExecutionEvent['type'])
      : current.status === 'running'
        ? 'started'
        : 'queued';
    send({
      type: snapshotType,
      executionId: current.id,
      tenantId,
      agentId: current.agentId,
      status: current.status,
      attempt: current.attempts,
      error: current.error
        ? { code: current.error.code, message: current.error.message }
        : undefined,
      at: new Date().toISOString(),
    });
  }
}
