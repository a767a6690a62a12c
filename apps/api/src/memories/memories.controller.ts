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
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { CreateMemoryDto } from './dto/create-memory.dto';
import { ListMemoriesQuery } from './dto/list-memories.query';
import { UpdateMemoryDto } from './dto/update-memory.dto';
import { MemorySearchDto } from '../knowledge/dto/knowledge-queries.dto';
import { KnowledgeService } from '../knowledge/knowledge.service';
import { chunkOf, MemorySearchView, scoresOf } from '../knowledge/knowledge.view';
import { KnowledgeVectorSupport } from '../knowledge/knowledge-vector-support.service';
import { MemoriesService } from './memories.service';
import { MemoryPage, MemoryView, toMemoryView } from './memory.view';

const agentIdOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('agent') });
const memoryIdOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('memory') });

@ApiTags('memories')
@ApiBearerAuth()
@Controller('v1/agents/:agentId/memories')
export class MemoriesController {
  constructor(
    private readonly memories: MemoriesService,
    private readonly knowledge: KnowledgeService,
    private readonly vectors: KnowledgeVectorSupport,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Add a memory; agents with enableMemory get the relevant ones in prompts',
  })
  @ApiCreatedResponse({ type: MemoryView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async create(
    @TenantId() tenantId: string,
    @Param('agentId', agentIdOr404) agentId: string,
    @Body() body: CreateMemoryDto,
  ): Promise<MemoryView> {
    return toMemoryView(await this.memories.create(tenantId, agentId, body));
  }

  @Get()
  @ApiOperation({ summary: 'List memories newest first, or search them with ?q=' })
  @ApiOkResponse({ type: MemoryPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async list(
    @TenantId() tenantId: string,
    @Param('agentId', agentIdOr404) agentId: string,
    @Query() query: ListMemoriesQuery,
  ): Promise<MemoryPage> {
    const page = await this.memories.list(tenantId, agentId, query);
    return {
      data: page.data.map(({ memory, rank }) => toMemoryView(memory, rank)),
      nextCursor: page.nextCursor,
    };
  }

  @Post('search')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Search the agent’s memories by words (lexical), meaning (semantic) or both (hybrid)',
  })
  @ApiOkResponse({ type: MemorySearchView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async search(
    @TenantId() tenantId: string,
    @Param('agentId', agentIdOr404) agentId: string,
    @Body() body: MemorySearchDto,
  ): Promise<MemorySearchView> {
    const answer = await this.knowledge.searchMemories(tenantId, agentId, body);
    return {
      data: answer.hits.map((hit) => ({
        memoryId: hit.parentId,
        chunk: chunkOf(hit),
        ...scoresOf(hit),
      })),
      meta: {
        mode: answer.mode,
        vectorBackend: this.vectors.current.backend,
        embeddingModel: answer.embeddingModel,
        ...(answer.degraded ? { degraded: answer.degraded } : {}),
      },
    };
  }

  @Get(':memoryId')
  @ApiOperation({ summary: 'A memory of the agent' })
  @ApiOkResponse({ type: MemoryView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(
    @TenantId() tenantId: string,
    @Param('agentId', agentIdOr404) agentId: string,
    @Param('memoryId', memoryIdOr404) memoryId: string,
  ): Promise<MemoryView> {
    return toMemoryView(await this.memories.get(tenantId, agentId, memoryId));
  }

  @Patch(':memoryId')
  @ApiOperation({ summary: 'Change a memory’s type, content or importance' })
  @ApiOkResponse({ type: MemoryView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async update(
    @TenantId() tenantId: string,
    @Param('agentId', agentIdOr404) agentId: string,
    @Param('memoryId', memoryIdOr404) memoryId: string,
    @Body() body: UpdateMemoryDto,
  ): Promise<MemoryView> {
    return toMemoryView(await this.memories.update(tenantId, agentId, memoryId, body));
  }

  @Delete(':memoryId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Forget a memory' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse })
  async remove(
    @TenantId() tenantId: string,
    @Param('agentId', agentIdOr404) agentId: string,
    @Param('memoryId', memoryIdOr404) memoryId: string,
  ): Promise<void> {
    await this.memories.remove(tenantId, agentId, memoryId);
  }
}
