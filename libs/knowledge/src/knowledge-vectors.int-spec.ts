import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createDataSource, inTenantTransaction } from '@agentq/database';
import { echoEmbedding } from '@agentq/llm';
import { createTestDatabase, TestDatabase } from '@agentq/testing';
import { DataSource } from 'typeorm';
import { RETRIEVAL_CORPUS, RETRIEVAL_QUERIES } from './corpus/retrieval-corpus';
import {
  claimChunksToEmbed,
  EmbeddingSettings,
  settleEmbeddings,
  storeEmbeddings,
} from './knowledge-embeddings';
import { searchChunks, SearchMode } from './knowledge-search';
import { actAsAgent, createKnowledgeEntry } from './knowledge-store';
import { detectVectorSupport, VectorBackend } from './vector-backend';

const MODEL = 'echo-embedding';

/**
 * Both vector paths on real servers: the stock PostgreSQL of the run (no pgvector: `real[]`
 * scanned exactly) and PGlite with its pgvector extension, served over the PostgreSQL wire
 * protocol by pglite-socket, with the same migrations (`vector` column, HNSW indexes). The same
 * corpus, embedded the same way, must give the same answers on both.
 */
describe('knowledge vectors: exact scan and pgvector', () => {
  let stock: TestDatabase;
  let pglite: PGlite;
  let socketServer: PGLiteSocketServer;
  const sides: Record<VectorBackend, Side> = {} as Record<VectorBackend, Side>;

  interface Side {
    owner: DataSource;
    app: DataSource;
    tenantId: string;
    agents: { a: string; b: string };
    entryIds: Map<string, string>;
    backend: VectorBackend;
  }

  beforeAll(async () => {
    stock = await createTestDatabase();
    pglite = await PGlite.create({ extensions: { vector } });
    socketServer = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1' });
    await socketServer.start();
    // `host:port`, the port the OS gave (port 0 asks for a free one).
    const port = socketServer.getServerConn().split(':').pop();
    const pgliteUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;

    // PGlite is one connection: a pool of one, shared by the schema owner and the app role.
    const pgliteOwner = createDataSource({ url: pgliteUrl, poolSize: 1 });
    await pgliteOwner.initialize();
    await pgliteOwner.runMigrations();
    sides.pgvector = await arrange(pgliteOwner, pgliteOwner, 'pgvector');

    const stockOwner = createDataSource({ url: stock.url, poolSize: 1 });
    const stockApp = createDataSource({ url: stock.url, poolSize: 2, role: 'agentq_app' });
    await Promise.all([stockOwner.initialize(), stockApp.initialize()]);
    sides.exact = await arrange(stockOwner, stockApp, 'exact');
  }, 120_000);

  afterAll(async () => {
    for (const side of Object.values(sides)) {
      await side.app.destroy().catch(() => undefined);
      if (side.owner !== side.app) await side.owner.destroy();
    }
    await socketServer?.stop();
    await pglite?.close();
    await stock?.drop();
  });

  async function arrange(
    owner: DataSource,
    app: DataSource,
    expected: VectorBackend,
  ): Promise<Side> {
    const { backend } = await detectVectorSupport(owner.manager);
    expect(backend).toBe(expected);
    const [{ id: tenantId }] = await owner.query(
      `INSERT INTO tenants (name) VALUES ('corpus') RETURNING id`,
    );
    const [{ id: providerId }] = await owner.query(
      `INSERT INTO llm_providers (tenant_id, name, type, is_default) VALUES ($1, 'echo', 'echo', true) RETURNING id`,
      [tenantId],
    );
    const agents = { a: '', b: '' };
    for (const key of ['a', 'b'] as const) {
      const [{ id }] = await owner.query(
        `INSERT INTO agents (tenant_id, name, role, provider_id, llm_config)
         VALUES ($1, $2, 'helper', $3, '{"model":"echo-1"}') RETURNING id`,
        [tenantId, key, providerId],
      );
      agents[key] = id;
    }
    const entryIds = new Map<string, string>();
    await inTenantTransaction(app, tenantId, async (manager) => {
      for (const item of RETRIEVAL_CORPUS) {
        const entry = await createKnowledgeEntry(manager, tenantId, {
          type: item.type,
          title: item.title,
          content: `${item.title}\n\n${item.content}`,
          tags: item.tags,
          visibility: 'tenant',
          agentIds: [],
          ownerAgentId: null,
          confidence: null,
          source: null,
          collection: 'handbook',
        });
        entryIds.set(item.key, entry.id);
      }
      const secret = await createKnowledgeEntry(manager, tenantId, {
        type: 'analysis',
        title: 'Private analysis',
        content: 'Agent A private analysis of the retries and backoff incidents.',
        tags: [],
        visibility: 'private',
        agentIds: [],
        ownerAgentId: agents.a,
        confidence: 0.5,
        source: null,
        collection: null,
      });
      entryIds.set('private-a', secret.id);
    });
    const settings: EmbeddingSettings = {
      provider: null,
      model: MODEL,
      servingProvider: null,
      servingModel: MODEL,
    };
    await inTenantTransaction(app, tenantId, async (manager) => {
      for (;;) {
        const batch = await claimChunksToEmbed(manager, tenantId, settings, 64);
        if (batch.length === 0) break;
        await storeEmbeddings(
          manager,
          backend,
          settings,
          batch.map((chunk) => ({ chunkId: chunk.id, vector: echoEmbedding(chunk.content) })),
        );
      }
      await settleEmbeddings(manager, tenantId, settings);
    });
    return { owner, app, tenantId, agents, entryIds, backend };
  }

  function search(side: Side, query: string, mode: SearchMode, agentId?: string, k = 5) {
    return inTenantTransaction(side.app, side.tenantId, async (manager) => {
      if (agentId) await actAsAgent(manager, agentId);
      const hits = await searchChunks(manager, {
        query,
        k,
        mode,
        queryVector: mode === 'lexical' ? null : { vector: echoEmbedding(query), model: MODEL },
        backend: side.backend,
        filters: {},
        target: { kind: 'entries' },
      });
      const keyOf = new Map([...side.entryIds].map(([key, id]) => [id, key]));
      return hits.map((hit) => ({ key: keyOf.get(hit.parentId)!, hit }));
    });
  }

  it('marks every entry ready once its chunks have vectors', async () => {
    for (const side of Object.values(sides)) {
      const rows = await side.owner.query(
        `SELECT embedding_status, count(*)::int AS n FROM knowledge_entries WHERE tenant_id = $1
          GROUP BY embedding_status`,
        [side.tenantId],
      );
      expect(rows).toEqual([{ embedding_status: 'ready', n: RETRIEVAL_CORPUS.length + 1 }]);
    }
  });

  it('gives the same semantic ranking on the exact path and on pgvector', async () => {
    for (const { query } of RETRIEVAL_QUERIES) {
      const exact = await search(sides.exact, query, 'semantic');
      const hnsw = await search(sides.pgvector, query, 'semantic');
      expect(hnsw.map((row) => row.key)).toEqual(exact.map((row) => row.key));
      hnsw.forEach((row, i) => expect(row.hit.similarity).toBeCloseTo(exact[i].hit.similarity!, 5));
    }
  });

  it('serves pgvector searches from the HNSW index', async () => {
    const side = sides.pgvector;
    const plan = await inTenantTransaction(side.owner, side.tenantId, async (manager) => {
      // A table this small is cheaper to scan: take that choice away to see the index serve.
      await manager.query(`SET LOCAL enable_seqscan = off`);
      const rows: { 'QUERY PLAN': string }[] = await manager.query(
        `EXPLAIN SELECT id FROM knowledge_chunks c WHERE c.embedding_dims = 384
          ORDER BY c.embedding::vector(384) <=> $1::vector(384) LIMIT 5`,
        [`[${echoEmbedding('backup').join(',')}]`],
      );
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('knowledge_chunks_hnsw_384');
  });

  it('ranks the expected entry first more often with hybrid search than with words alone', async () => {
    const firsts: Record<SearchMode, number> = { lexical: 0, semantic: 0, hybrid: 0 };
    for (const { query, expected } of RETRIEVAL_QUERIES) {
      for (const mode of ['lexical', 'semantic', 'hybrid'] as const) {
        const [first] = await search(sides.exact, query, mode);
        if (first?.key === expected) firsts[mode] += 1;
      }
    }
    console.log(
      `retrieval on the shipped corpus (${RETRIEVAL_QUERIES.length} queries), expected entry first: ` +
        `lexical ${firsts.lexical}, semantic ${firsts.semantic}, hybrid ${firsts.hybrid}`,
    );
    expect(firsts.hybrid).toBeGreaterThan(firsts.lexical);
    expect(firsts.hybrid).toBeGreaterThan(RETRIEVAL_QUERIES.length / 2);
  });

  it('highlights the query words in the snippet', async () => {
    const [first] = await search(sides.exact, 'pg_dump nightly', 'hybrid');
    expect(first.key).toBe('postgres-backup');
    expect(first.hit.snippet).toContain('<mark>');
  });

  it("keeps an agent's private entry from other agents, in SQL", async () => {
    const query = 'private analysis of retries';
    const asA = await search(sides.exact, query, 'hybrid', sides.exact.agents.a);
    const asB = await search(sides.exact, query, 'hybrid', sides.exact.agents.b);
    expect(asA.map((row) => row.key)).toContain('private-a');
    expect(asB.map((row) => row.key)).not.toContain('private-a');
    const visible = await inTenantTransaction(sides.exact.app, sides.exact.tenantId, async (m) => {
      await actAsAgent(m, sides.exact.agents.b);
      return m.query(`SELECT count(*)::int AS n FROM knowledge_chunks WHERE entry_id = $1`, [
        sides.exact.entryIds.get('private-a'),
      ]);
    });
    expect(visible).toEqual([{ n: 0 }]);
  });
});
