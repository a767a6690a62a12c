import { setTimeout as sleep } from 'node:timers/promises';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { inTenantTransaction } from '@agentq/database';
import { KnowledgeEmbeddingJobData, KnowledgeEmbeddingJobResult, QUEUES } from '@agentq/jobs';
import {
  ChunkToEmbed,
  claimChunksToEmbed,
  detectVectorSupport,
  EmbeddingAdapters,
  EmbeddingSettings,
  embeddingSettings,
  indexUnindexedMemories,
  markEmbeddingFailed,
  recordEmbeddingUsage,
  releaseChunks,
  settleEmbeddings,
  storeEmbeddings,
  VectorBackend,
} from '@agentq/knowledge';
import { defaultEmbeddingModel, EmbeddingAdapter, EmbeddingResult, LlmError } from '@agentq/llm';
import { QueueWorkers } from '@agentq/redis';
import { computeCostUsd } from '@agentq/usage';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { MAX_FREE_PAUSES_PER_EXECUTION, providerPauseMs } from '../dispatch/provider-pause-policy';
import { ProviderPacing } from '../dispatch/provider-pacing.service';

/** Chunks per provider request: 64 × 256 tokens stays far below every provider's input limit. */
export const EMBEDDING_BATCH_SIZE = 64;
// Memories without chunks indexed per job (those the worker's follow-ups wrote).
const MEMORIES_PER_JOB = 500;
const JOB_TIMEOUT_MS = 5 * 60_000;

type EmbeddingJob = Job<KnowledgeEmbeddingJobData, KnowledgeEmbeddingJobResult>;

/**
 * Embeds a tenant's chunks that lack a vector of its embedding model, in batches through the
 * tenant's embedding provider, paced like model calls (the provider's rate limit and the pauses
 * its 429s and Retry-After impose, shared with executions through Redis), each request counted
 * in the tenant's embedding usage. A failing provider leaves its entries `failed`, searchable by
 * words, and the job is tried again with backoff.
 */
@Injectable()
export class KnowledgeEmbeddingProcessor
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(KnowledgeEmbeddingProcessor.name);
  private worker: Worker<KnowledgeEmbeddingJobData, KnowledgeEmbeddingJobResult> | null = null;
  private backend: VectorBackend = 'exact';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly workers: QueueWorkers,
    private readonly pacing: ProviderPacing,
    private readonly embeddingAdapters: EmbeddingAdapters,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap() {
    const support = await detectVectorSupport(this.dataSource.manager);
    this.backend = support.backend;
    this.logger.log(
      `knowledge vectors: ${support.backend === 'pgvector' ? 'pgvector (HNSW)' : 'exact scan'}`,
    );
    this.worker = this.workers.start(
      QUEUES.knowledgeEmbeddings,
      (job: EmbeddingJob) => this.embed(job),
      {
        concurrency: 2,
        lockDuration: this.config.worker.lockDurationMs,
        stalledInterval: this.config.worker.stalledIntervalMs,
      },
    );
  }

  async beforeApplicationShutdown() {
    await this.worker?.close();
  }

  async embed(job: EmbeddingJob): Promise<KnowledgeEmbeddingJobResult> {
    const { tenantId } = job.data;
    const settings = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      await indexUnindexedMemories(manager, tenantId, MEMORIES_PER_JOB);
      return embeddingSettings(manager, tenantId, defaultEmbeddingModel);
    });
    const result: KnowledgeEmbeddingJobResult = {
      chunksEmbedded: 0,
      requests: 0,
      tokens: 0,
      servingModel: settings?.servingModel ?? null,
    };
    if (!settings?.provider) {
      await this.fail(tenantId, 'no embedding provider: set one with PUT /v1/knowledge/settings');
      return result;
    }
    let adapter: EmbeddingAdapter;
    try {
      adapter = this.embeddingAdapters.for(tenantId, settings.provider);
    } catch (error) {
      await this.fail(tenantId, (error as Error).message);
      throw new UnrecoverableError((error as Error).message);
    }
    const signal = AbortSignal.timeout(JOB_TIMEOUT_MS);
    let pauses = 0;
    for (;;) {
      const batch = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
        claimChunksToEmbed(manager, tenantId, settings, EMBEDDING_BATCH_SIZE),
      );
      if (batch.length === 0) break;
      let embedded: EmbeddingResult;
      try {
        embedded = await this.pacedEmbed(
          adapter,
          settings,
          batch,
          `embed:${job.id}`,
          signal,
          () => {
            pauses += 1;
            return pauses;
          },
        );
      } catch (error) {
        await inTenantTransaction(this.dataSource, tenantId, (manager) =>
          releaseChunks(
            manager,
            batch.map((chunk) => chunk.id),
          ),
        );
        const message = (error as Error).message;
        await this.fail(tenantId, message);
        this.logger.warn(
          `tenant ${tenantId}: embedding failed (try ${job.attemptsMade + 1}): ${message}`,
        );
        if (error instanceof LlmError && error.kind === 'permanent') {
          throw new UnrecoverableError(message);
        }
        throw error;
      }
      await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
        await storeEmbeddings(
          manager,
          this.backend,
          settings,
          batch.map((chunk, i) => ({ chunkId: chunk.id, vector: embedded.vectors[i] })),
        );
        const { costUsd } = computeCostUsd(
          { promptTokens: embedded.promptTokens, completionTokens: 0 },
          settings.model,
        );
        await recordEmbeddingUsage(
          manager,
          tenantId,
          settings.model,
          embedded.promptTokens,
          costUsd,
        );
      });
      result.chunksEmbedded += batch.length;
      result.requests += 1;
      result.tokens += embedded.promptTokens;
    }
    result.servingModel = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      settleEmbeddings(manager, tenantId, settings),
    );
    return result;
  }

  // One request, after its rate-limit turn; a 429 (or 503/529 with Retry-After) pauses the
  // provider for every worker and the request waits the pause out and is tried again.
  private async pacedEmbed(
    adapter: EmbeddingAdapter,
    settings: EmbeddingSettings,
    batch: ChunkToEmbed[],
    pacingKey: string,
    signal: AbortSignal,
    countPause: () => number,
  ): Promise<EmbeddingResult> {
    const provider = settings.provider!;
    const tokens = batch.reduce((sum, chunk) => sum + chunk.tokenCount, 0);
    for (;;) {
      const wait = await this.pacing.takeTurn(provider, pacingKey, tokens);
      if (wait) {
        await sleep(wait.delayMs, undefined, { signal });
        continue;
      }
      try {
        const result = await adapter.embed({
          model: settings.model,
          texts: batch.map((chunk) => chunk.content),
          signal,
        });
        if (result.vectors.length !== batch.length) {
          throw new Error(`asked for ${batch.length} embeddings, got ${result.vectors.length}`);
        }
        await this.pacing.correctTokens(provider, tokens, result.promptTokens);
        return result;
      } catch (error) {
        const pauseMs = providerPauseMs(error);
        if (pauseMs === null || countPause() > MAX_FREE_PAUSES_PER_EXECUTION) throw error;
        const remainingMs = await this.pacing.pause(provider.id, pauseMs);
        await sleep(remainingMs, undefined, { signal });
      }
    }
  }

  private async fail(tenantId: string, message: string): Promise<void> {
    await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      markEmbeddingFailed(manager, tenantId, message),
    );
  }
}
