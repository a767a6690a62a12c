import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { detectVectorSupport, VectorSupport } from '@agentq/knowledge';
import { DataSource } from 'typeorm';

/** Which vector path the database gives, read once at boot (the schema decides it). */
@Injectable()
export class KnowledgeVectorSupport implements OnModuleInit {
  private readonly logger = new Logger(KnowledgeVectorSupport.name);
  private support: VectorSupport = { backend: 'exact', pgvectorAvailable: false };

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit() {
    this.support = await detectVectorSupport(this.dataSource.manager);
    if (this.support.backend === 'exact' && this.support.pgvectorAvailable) {
      this.logger.warn(
        'this PostgreSQL offers pgvector but knowledge vectors use the exact scan: see docs/knowledge.md, "Moving to pgvector"',
      );
    }
  }

  get current(): VectorSupport {
    return this.support;
  }

  /** For the start line: `pgvector (HNSW)` or `exact scan (no pgvector)`. */
  describe(): string {
    if (this.support.backend === 'pgvector') return 'pgvector (HNSW)';
    return this.support.pgvectorAvailable
      ? 'exact scan (pgvector available, not enabled)'
      : 'exact scan (no pgvector)';
  }
}
