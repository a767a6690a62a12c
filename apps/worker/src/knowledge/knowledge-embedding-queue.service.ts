import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import {
  EMBED_KNOWLEDGE_JOB,
  JobQueue,
  knowledgeEmbeddingJobId,
  knowledgeEmbeddingJobOptions,
  QUEUES,
} from '@agentq/jobs';

/** Asks for a tenant's embedding job after the worker wrote something to embed. */
@Injectable()
export class KnowledgeEmbeddingQueue {
  private readonly logger = new Logger(KnowledgeEmbeddingQueue.name);

  constructor(
    @InjectQueue(QUEUES.knowledgeEmbeddings)
    private readonly queue: JobQueue<typeof EMBED_KNOWLEDGE_JOB>,
  ) {}

  async enqueue(tenantId: string, change: string): Promise<void> {
    try {
      await this.queue.add(
        EMBED_KNOWLEDGE_JOB,
        { tenantId },
        { ...knowledgeEmbeddingJobOptions, jobId: knowledgeEmbeddingJobId(tenantId, change) },
      );
    } catch (error) {
      // What waits for vectors stays in PostgreSQL: the tenant's next job takes it.
      this.logger.warn(`embedding job not queued: ${(error as Error).message}`);
    }
  }
}
