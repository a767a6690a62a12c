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
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { AgentPage, AgentView, ToolHeaderView, toAgentView } from './agent.view';
import { AgentsService } from './agents.service';
import { CreateAgentDto } from './dto/create-agent.dto';
import { ListAgentsQuery } from './dto/list-agents.query';
import { UpdateAgentDto } from './dto/update-agent.dto';

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('agent') });

@ApiTags('agents')
@ApiBearerAuth()
@ApiExtraModels(ToolHeaderView)
@Controller('v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post()
  @ApiOperation({
    summary: "Create an agent; providerId defaults to the tenant's default provider",
  })
  @ApiCreatedResponse({ type: AgentView })
  @ApiBadRequestResponse({
    type: ErrorResponse,
    description: 'validation_failed or no_default_provider',
  })
  @ApiNotFoundResponse({
    type: ErrorResponse,
    description: "providerId is not one of the tenant's providers",
  })
  async create(@TenantId() tenantId: string, @Body() body: CreateAgentDto): Promise<AgentView> {
    return toAgentView(await this.agents.create(tenantId, body));
  }

  @Get()
  @ApiOperation({ summary: 'List agents, newest first (cursor pagination)' })
  @ApiOkResponse({ type: AgentPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async list(@TenantId() tenantId: string, @Query() query: ListAgentsQuery): Promise<AgentPage> {
    const page = await this.agents.list(tenantId, query);
    return { data: page.data.map(toAgentView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'An agent' })
  @ApiOkResponse({ type: AgentView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string): Promise<AgentView> {
    return toAgentView(await this.agents.get(tenantId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an agent; a given llmConfig replaces the stored one' })
  @ApiOkResponse({ type: AgentView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async update(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Body() body: UpdateAgentDto,
  ): Promise<AgentView> {
    return toAgentView(await this.agents.update(tenantId, id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      'Delete an agent with its memories and ended executions; its daily usage stays (agentId null) and counts in budgets',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({
    type: ErrorResponse,
    description:
      'agent_has_unfinished_executions: executions of the agent are queued, running or waiting ' +
      'for tool outputs (details.unfinishedExecutions counts them; cancel them or let them end). ' +
      'agent_in_use: a plan task assigned to the agent has not ended',
  })
  async remove(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string): Promise<void> {
    await this.agents.remove(tenantId, id);
  }
}
