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
import { AgentMessagePage, toAgentMessageView } from './agent-message.view';
import { AgentMessagesService } from './agent-messages.service';
import { ListAgentMessagesQuery } from './dto/list-agent-messages.query';

const agentIdOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('agent') });

@ApiTags('agent messages')
@ApiBearerAuth()
@Controller('v1/agents/:agentId/messages')
export class AgentMessagesController {
  constructor(private readonly messages: AgentMessagesService) {}

  @Get()
  @ApiOperation({ summary: "The agent's handoffs, sent and received, newest first" })
  @ApiOkResponse({ type: AgentMessagePage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async list(
    @TenantId() tenantId: string,
    @Param('agentId', agentIdOr404) agentId: string,
    @Query() query: ListAgentMessagesQuery,
  ): Promise<AgentMessagePage> {
    const page = await this.messages.list(tenantId, agentId, query);
    return { data: page.data.map(toAgentMessageView), nextCursor: page.nextCursor };
  }
}
