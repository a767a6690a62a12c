import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ChunkHit,
  EMBEDDING_STATUSES,
  EmbeddingUsageRow,
  KNOWLEDGE_TYPES,
  KNOWLEDGE_VISIBILITIES,
  KnowledgeChunk,
  KnowledgeEntry,
  KnowledgeVersion,
} from '@agentq/knowledge';
import { KnowledgeSourceDto } from './dto/knowledge-entry.dto';

export class KnowledgeEntryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: KNOWLEDGE_TYPES }) type!: string;
  @ApiProperty() title!: string;
  @ApiProperty() content!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ enum: KNOWLEDGE_VISIBILITIES }) visibility!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) agentIds!: string[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) ownerAgentId!: string | null;
  @ApiProperty({ type: Number, nullable: true }) confidence!: number | null;
  @ApiProperty({ type: KnowledgeSourceDto, nullable: true }) source!: KnowledgeSourceDto | null;
  @ApiProperty({ type: String, nullable: true }) collection!: string | null;
  @ApiProperty({
    type: 'integer',
    description: 'edits that changed the text or its labels make a new one',
  })
  version!: number;
  @ApiProperty({ enum: EMBEDDING_STATUSES }) embeddingStatus!: string;
  @ApiProperty({ type: String, nullable: true }) embeddingError!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export const toEntryView = (entry: KnowledgeEntry): KnowledgeEntryView => ({
  id: entry.id,
  type: entry.type,
  title: entry.title,
  content: entry.content,
  tags: entry.tags,
  visibility: entry.visibility,
  agentIds: entry.agentIds,
  ownerAgentId: entry.ownerAgentId,
  confidence: entry.confidence,
  source: entry.source,
  collection: entry.collection,
  version: entry.version,
  embeddingStatus: entry.embeddingStatus,
  embeddingError: entry.embeddingError,
  createdAt: entry.createdAt,
  updatedAt: entry.updatedAt,
});

export class KnowledgeEntryPage {
  @ApiProperty({ type: [KnowledgeEntryView] }) data!: KnowledgeEntryView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class KnowledgeVersionView {
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty({ enum: KNOWLEDGE_TYPES }) type!: string;
  @ApiProperty() title!: string;
  @ApiProperty() content!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: Number, nullable: true }) confidence!: number | null;
  @ApiProperty({ type: String, nullable: true }) collection!: string | null;
  @ApiProperty() createdAt!: Date;
}

export const toVersionView = (version: KnowledgeVersion): KnowledgeVersionView => ({
  version: version.version,
  type: version.type,
  title: version.title,
  content: version.content,
  tags: version.tags,
  confidence: version.confidence,
  collection: version.collection,
  createdAt: version.createdAt,
});

export class KnowledgeVersionList {
  @ApiProperty({ type: [KnowledgeVersionView] }) data!: KnowledgeVersionView[];
}

export class KnowledgeChunkView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: 'integer' }) ordinal!: number;
  @ApiProperty() content!: string;
  @ApiProperty({ type: 'integer', description: 'where the chunk starts, in tokens (o200k_base)' })
  startToken!: number;
  @ApiProperty({ type: 'integer' }) tokenCount!: number;
  @ApiProperty({ type: String, nullable: true, description: 'the model of its serving vector' })
  embeddingModel!: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) embeddingDimensions!: number | null;
}

export const toChunkView = (chunk: KnowledgeChunk): KnowledgeChunkView => ({
  id: chunk.id,
  ordinal: chunk.ordinal,
  content: chunk.content,
  startToken: chunk.startToken,
  tokenCount: chunk.tokenCount,
  embeddingModel: chunk.embeddingModel,
  embeddingDimensions: chunk.embeddingDims,
});

export class KnowledgeChunkList {
  @ApiProperty({ type: [KnowledgeChunkView] }) data!: KnowledgeChunkView[];
}

export class RenderedTemplateView {
  @ApiProperty() content!: string;
  @ApiProperty({ type: [String], description: 'the placeholders the template names' })
  placeholders!: string[];
}

export class SearchChunkView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() content!: string;
  @ApiProperty({ description: 'the chunk around the query words, matches in <mark>…</mark>' })
  snippet!: string;
}

class SearchScores {
  @ApiProperty({ description: 'the fused score: Σ weight / (60 + rank) over the rankings' })
  score!: number;
  @ApiProperty({ type: 'integer', nullable: true }) lexicalRank!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) semanticRank!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'cosine similarity to the query' })
  similarity!: number | null;
}

export class KnowledgeSearchHitView extends SearchScores {
  @ApiProperty({ type: KnowledgeEntryView }) entry!: KnowledgeEntryView;
  @ApiProperty({ type: SearchChunkView }) chunk!: SearchChunkView;
}

export class MemorySearchHitView extends SearchScores {
  @ApiProperty({ format: 'uuid' }) memoryId!: string;
  @ApiProperty({ type: SearchChunkView }) chunk!: SearchChunkView;
}

export class SearchMeta {
  @ApiProperty({ enum: ['lexical', 'semantic', 'hybrid'] }) mode!: string;
  @ApiProperty({ enum: ['pgvector', 'exact'] }) vectorBackend!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the model of the vectors searched' })
  embeddingModel!: string | null;
  @ApiPropertyOptional({
    description: 'why the query could not be embedded: the answer is ranked by words alone',
  })
  degraded?: string;
}

export class KnowledgeSearchView {
  @ApiProperty({ type: [KnowledgeSearchHitView] }) data!: KnowledgeSearchHitView[];
  @ApiProperty({ type: SearchMeta }) meta!: SearchMeta;
}

export class MemorySearchView {
  @ApiProperty({ type: [MemorySearchHitView] }) data!: MemorySearchHitView[];
  @ApiProperty({ type: SearchMeta }) meta!: SearchMeta;
}

export const scoresOf = (hit: ChunkHit): SearchScores => ({
  score: hit.score,
  lexicalRank: hit.lexicalRank,
  semanticRank: hit.semanticRank,
  similarity: hit.similarity,
});

export const chunkOf = (hit: ChunkHit): SearchChunkView => ({
  id: hit.chunkId,
  content: hit.content,
  snippet: hit.snippet,
});

export class EmbeddingSettingsView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) providerId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'new vectors are made with it' })
  model!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the vectors searches use now' })
  servingModel!: string | null;
  @ApiProperty({ description: 'a model change is re-embedding; old vectors serve meanwhile' })
  reembedding!: boolean;
  @ApiProperty({ enum: ['pgvector', 'exact'] }) vectorBackend!: string;
}

export class EmbeddingUsageView {
  @ApiProperty({ example: '2026-12-07' }) day!: string;
  @ApiProperty() model!: string;
  @ApiProperty({ type: 'integer' }) requests!: number;
  @ApiProperty({ type: 'integer' }) tokens!: number;
  @ApiProperty({ example: '0.000120000' }) costUsd!: string;
}

export class EmbeddingUsageList {
  @ApiProperty({ type: [EmbeddingUsageView] }) data!: EmbeddingUsageView[];
}

export const toUsageView = (row: EmbeddingUsageRow): EmbeddingUsageView => ({ ...row });
