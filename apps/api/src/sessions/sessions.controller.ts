import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
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
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { SESSION_EVENT_TYPES } from '@agentq/agent-context';
import { FastifyReply, FastifyRequest } from 'fastify';
import { TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { EventStream } from '../common/event-stream';
import { toExecutionView } from '../executions/execution.view';
import { CreateSessionDto } from './dto/create-session.dto';
import { ListSessionEventsQuery } from './dto/list-session-events.query';
import { ListSessionsQuery } from './dto/list-sessions.query';
import { decodePosition, Position } from '../common/page-cursor';
import { DeliveredEvents, SessionEventStream } from './session-event-stream.service';
import {
  SessionEventPage,
  SessionEventView,
  SessionPage,
  SessionView,
  SessionWithExecutionsView,
  toSessionEventView,
  toSessionView,
} from './session.view';
import { SessionsService } from './sessions.service';

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('session') });
const REPLAY_PAGE_SIZE = 100;

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('v1/sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly stream: SessionEventStream,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Start a session: executions submitted with its id share history' })
  @ApiCreatedResponse({ type: SessionView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'agentId is not an agent of yours' })
  async create(@TenantId() tenantId: string, @Body() body: CreateSessionDto): Promise<SessionView> {
    return toSessionView(await this.sessions.create(tenantId, body));
  }

  @Get()
  @ApiOperation({ summary: 'List sessions, newest first (cursor pagination)' })
  @ApiOkResponse({ type: SessionPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async list(
    @TenantId() tenantId: string,
    @Query() query: ListSessionsQuery,
  ): Promise<SessionPage> {
    const page = await this.sessions.list(tenantId, query);
    return { data: page.data.map(toSessionView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A session with its executions, oldest first' })
  @ApiOkResponse({ type: SessionWithExecutionsView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<SessionWithExecutionsView> {
    const { session, executions, executionCount } = await this.sessions.getWithExecutions(
      tenantId,
      id,
    );
    return {
      ...toSessionView(session),
      executions: executions.map(toExecutionView),
      executionCount,
    };
  }

  @Post(':id/end')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'End a session: it takes no new executions and its handoff chains stop',
  })
  @ApiOkResponse({ type: SessionView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'session_archived' })
  async end(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<SessionView> {
    return toSessionView(await this.sessions.end(tenantId, id));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a session with its events and messages (executions stay)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse })
  async remove(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string): Promise<void> {
    await this.sessions.remove(tenantId, id);
  }

  @Get(':id/events')
  @ApiOperation({
    summary: 'The session event log, oldest first',
    description:
      'JSON pages by default. With `Accept: text/event-stream`: Server-Sent Events, first the ' +
      'log (after `Last-Event-ID` or `?after=` when given) and then each new event as it is ' +
      'committed; every SSE `id` is the event id. The stream ends when the session is archived.',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'SSE: resume after this event',
  })
  @ApiOkResponse({
    description: 'a page of events, or with `Accept: text/event-stream` the event stream',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(SessionEventPage) } },
      'text/event-stream': {
        schema: {
          type: 'string',
          description: `Server-Sent Events; each \`data:\` is a ${getSchemaPath(SessionEventView)}`,
        },
      },
    },
  })
  @ApiExtraModels(SessionEventPage, SessionEventView)
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async events(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Query() query: ListSessionEventsQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.sessions.get(tenantId, id);
    if (!request.headers.accept?.includes('text/event-stream')) {
      const page = await this.sessions.listEvents(tenantId, id, query);
      const body: SessionEventPage = {
        data: page.data.map(toSessionEventView),
        nextCursor: page.nextCursor,
      };
      void reply.status(HttpStatus.OK).send(body);
      return;
    }
    const lastEventId = EventStream.lastEventId(request) ?? query.after;
    const from = lastEventId
      ? await this.sessions.eventPosition(tenantId, id, lastEventId)
      : query.cursor
        ? decodePosition(query.cursor)
        : null;
    await this.streamEvents(tenantId, id, from, request, reply);
  }

  private async streamEvents(
    tenantId: string,
    sessionId: string,
    from: Position | null,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const stream = EventStream.open(request, reply);
    // Headers out now (a quiet session may have nothing to send for a while).
    stream.comment('connected');
    const delivered = new DeliveredEvents();
    const send = (event: SessionEventView) => {
      if (stream.closed || !delivered.firstTime(event)) return;
      stream.send({ id: event.id, event: event.type, data: event });
      if (event.type === SESSION_EVENT_TYPES.sessionArchived) stream.end();
    };
    // Listen before replaying, holding live events back until the replay is out, so that
    // nothing falls between the two and the order stays the log's.
    let held: SessionEventView[] | null = [];
    stream.onClose(
      this.stream.listen(tenantId, sessionId, (event) => (held ? held.push(event) : send(event))),
    );

    try {
      let position = from;
      for (;;) {
        const page = await this.sessions.listEvents(
          tenantId,
          sessionId,
          { limit: REPLAY_PAGE_SIZE },
          position,
        );
        page.data.map(toSessionEventView).forEach(send);
        if (stream.closed || !page.nextCursor) break;
        position = page.positions[page.positions.length - 1];
      }
    } catch (error) {
      stream.end();
      throw error;
    }
    const live = held;
    held = null;
    live.forEach(send);
  }
}
