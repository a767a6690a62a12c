import { Module } from '@nestjs/common';
import { CryptoModule } from '@agentq/crypto';
import { QUEUES } from '@agentq/jobs';
import { EmbeddingAdapters } from '@agentq/knowledge';
import { registerQueues } from '@agentq/redis';
import { DispatchModule } from '../dispatch/dispatch.module';
import { KnowledgeEmbeddingProcessor } from './knowledge-embedding.processor';
import { KnowledgeEmbeddingQueue } from './knowledge-embedding-queue.service';
import { KnowledgeRetrieval } from './knowledge-retrieval.service';

/** Embeddings of knowledge chunks and memories, paced with the executions' provider pacing. */
@Module({
  imports: [registerQueues(QUEUES.knowledgeEmbeddings), CryptoModule, DispatchModule],
  providers: [
    EmbeddingAdapters,
    KnowledgeEmbeddingProcessor,
    KnowledgeRetrieval,
    KnowledgeEmbeddingQueue,
  ],
  exports: [KnowledgeRetrieval, KnowledgeEmbeddingQueue],
})
export class KnowledgeWorkerModule {}
