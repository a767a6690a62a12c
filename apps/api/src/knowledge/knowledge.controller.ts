import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseIntPipe,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
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
import {
  CreateKnowledgeEntryDto,
  RenderTemplateDto,
  UpdateKnowledgeEntryDto,
} from './dto/knowledge-entry.dto';
import {
  EmbeddingSettingsDto,
  KnowledgeSearchDto,
  ListKnowledgeQuery,
} from './dto/knowledge-queries.dto';
import { KnowledgeService } from './knowledge.service';
import {
  chunkOf,
  EmbeddingSettingsView,
  EmbeddingUsageList,
  KnowledgeChunkList,
  KnowledgeEntryPage,
  KnowledgeEntryView,
  KnowledgeSearchView,
  KnowledgeVersionList,
  KnowledgeVersionView,
  RenderedTemplateView,
  scoresOf,
  toChunkView,
  toEntryView,
  toUsageView,
  toVersionView,
} from './knowledge.view';
import { KnowledgeVectorSupport } from './knowledge-vector-support.service';

const entryIdOr404 = new ParseUUIDPipe({
  exceptionFactory: () => new NotFoundError('knowledge entry'),
});
const versionOr404 = new ParseIntPipe({
  exceptionFactory: () => new NotFoundError('knowledge entry version'),
});

@ApiTags('knowledge')
@ApiBearerAuth()
@Controller('v1/knowledge')
export class KnowledgeController {
  constructor(
    private readonly knowledge: KnowledgeService,
    private readonly vectors: KnowledgeVectorSupport,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Add a knowledge entry; it is chunked now and embedded in the background',
  })
  @ApiCreatedResponse({ type: KnowledgeEntryView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async create(
    @TenantId() tenantId: string,
    @Body() body: CreateKnowledgeEntryDto,
  ): Promise<KnowledgeEntryView> {
    return toEntryView(await this.knowledge.create(tenantId, body));
  }

  @Get()
  @ApiOperation({ summary: 'List entries newest first, by type, tag or collection' })
  @ApiOkResponse({ type: KnowledgeEntryPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async list(
    @TenantId() tenantId: string,
    @Query() query: ListKnowledgeQuery,
  ): Promise<KnowledgeEntryPage> {
    const page = await this.knowledge.list(tenantId, query);
    return { data: page.data.map(toEntryView), nextCursor: page.nextCursor };
  }

  @Post('search')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'Hybrid search: full-text and vector rankings fused (reciprocal rank fusion), best chunk per entry',
  })
  @ApiOkResponse({ type: KnowledgeSearchView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({
    type: ErrorResponse,
    description: 'agentId is not an agent of the tenant',
  })
  async search(
    @TenantId() tenantId: string,
    @Body() body: KnowledgeSearchDto,
  ): Promise<KnowledgeSearchView> {
    const answer = await this.knowledge.search(tenantId, body);
    return {
      data: answer.hits.map(({ hit, entry }) => ({
        entry: toEntryView(entry),
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

  @Get('settings')
  @ApiOperation({ summary: 'The embedding provider and model, and which vectors serve searches' })
  @ApiOkResponse({ type: EmbeddingSettingsView })
  async settings(@TenantId() tenantId: string): Promise<EmbeddingSettingsView> {
    return this.knowledge.settings(tenantId);
  }

  @Put('settings')
  @ApiOperation({
    summary:
      'Change the embedding model: everything is re-embedded in the background, old vectors serving until then',
  })
  @ApiOkResponse({ type: EmbeddingSettingsView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async changeSettings(
    @TenantId() tenantId: string,
    @Body() body: EmbeddingSettingsDto,
  ): Promise<EmbeddingSettingsView> {
    return this.knowledge.changeSettings(tenantId, body.providerId, body.model);
  }

  @Get('usage')
  @ApiOperation({ summary: 'Embedding requests, tokens and cost per UTC day and model' })
  @ApiOkResponse({ type: EmbeddingUsageList })
  async usage(@TenantId() tenantId: string): Promise<EmbeddingUsageList> {
    return { data: (await this.knowledge.usage(tenantId)).map(toUsageView) };
  }

  @Get(':entryId')
  @ApiOperation({ summary: 'A knowledge entry' })
  @ApiOkResponse({ type: KnowledgeEntryView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(
    @TenantId() tenantId: string,
    @Param('entryId', entryIdOr404) entryId: string,
  ): Promise<KnowledgeEntryView> {
    return toEntryView(await this.knowledge.get(tenantId, entryId));
  }

  @Patch(':entryId')
  @ApiOperation({ summary: 'Edit an entry: a change of its text or labels is a new version' })
  @ApiOkResponse({ type: KnowledgeEntryView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async update(
    @TenantId() tenantId: string,
    @Param('entryId', entryIdOr404) entryId: string,
    @Body() body: UpdateKnowledgeEntryDto,
  ): Promise<KnowledgeEntryView> {
    return toEntryView(await this.knowledge.update(tenantId, entryId, body));
  }

  @Delete(':entryId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an entry with its versions and chunks' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse })
  async remove(
    @TenantId() tenantId: string,
    @Param('entryId', entryIdOr404) entryId: string,
  ): Promise<void> {
    await this.knowledge.remove(tenantId, entryId);
  }

  @Get(':entryId/versions')
  @ApiOperation({ summary: 'The entry’s versions, newest first' })
  @ApiOkResponse({ type: KnowledgeVersionList })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async versions(
    @TenantId() tenantId: string,
    @Param('entryId', entryIdOr404) entryId: string,
  ): Promise<KnowledgeVersionList> {
    return { data: (await this.knowledge.versions(tenantId, entryId)).map(toVersionView) };
  }

  @Get(':entryId/versions/:version')
  @ApiOperation({ summary: 'One version of the entry' })
  @ApiOkResponse({ type: KnowledgeVersionView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async version(
    @TenantId() tenantId: string,
    @Param('entryId', entryIdOr404) entryId: string,
    @Param('version', versionOr404) version: number,
  ): Promise<KnowledgeVersionView> {
    return toVersionView(await this.knowledge.version(tenantId, entryId, version));
  }

  @Get(':entryId/chunks')
  @ApiOperation({ summary: 'How the entry was chunked, and which chunks have a serving vector' })
  @ApiOkResponse({ type: KnowledgeChunkList })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async chunks(
    @TenantId() tenantId: string,
    @Param('entryId', entryIdOr404) entryId: string,
  ): Promise<KnowledgeChunkList> {
    return { data: (await this.knowledge.chunks(tenantId, entryId)).map(toChunkView) };
  }

  @Post(':entryId/render')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Fill a template’s {{input.<path>}} placeholders from values' })
  @ApiOkResponse({ type: RenderedTemplateView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async render(
    @TenantId() tenantId: string,
    @Param('entryId', entryIdOr404) entryId: string,
    @Body() body: RenderTemplateDto,
  ): Promise<RenderedTemplateView> {
    return this.knowledge.render(tenantId, entryId, body.values);
  }
}
