import { Module } from '@nestjs/common';
import { CryptoModule } from '@agentq/crypto';
import { QUEUES } from '@agentq/jobs';
import { EmbeddingAdapters } from '@agentq/knowledge';
import { registerQueues } from '@agentq/redis';
import { KnowledgeController } from './knowledge.controller';
import { KnowledgeService } from './knowledge.service';
import { KnowledgeVectorSupport } from './knowledge-vector-support.service';
import { QueryEmbedder } from './query-embedder.service';

/** The knowledge base over HTTP (libs/knowledge owns its tables): docs/knowledge.md. */
@Module({
  imports: [registerQueues(QUEUES.knowledgeEmbeddings), CryptoModule],
  controllers: [KnowledgeController],
  providers: [EmbeddingAdapters, KnowledgeService, KnowledgeVectorSupport, QueryEmbedder],
  exports: [KnowledgeService, KnowledgeVectorSupport],
})
export class KnowledgeModule {}
