/**
 * `npm run bench:knowledge`: ingest and embed KNOWLEDGE_BENCH_CHUNKS chunks (100,000 by default;
 * echo embeddings, 384 dimensions) through libs/knowledge's own statements, on the exact path
 * (the PostgreSQL of DATABASE_URL, `real[]`) and on pgvector (PGlite with its vector extension,
 * over pglite-socket, HNSW); then search p50/p95 on both, recall@10 of HNSW against an exact
 * scan of the same rows, and the ingest rates. Prints a Markdown table for docs/benchmarks.md.
 * Its own database is dropped at the end. See docs/benchmarks.md, "Knowledge search".
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createDataSource, inTenantTransaction } from '@agentq/database';
import {
  claimChunksToEmbed,
  createKnowledgeEntry,
  EmbeddingSettings,
  searchChunks,
  settleEmbeddings,
  similaritySql,
  storeEmbeddings,
  VectorBackend,
  vectorParameter,
} from '@agentq/knowledge';
import { echoEmbedding } from '@agentq/llm';
import { databaseUrlFor } from '@agentq/testing';
import { DataSource } from 'typeorm';
import { percentile, round } from './stats';

const CHUNKS = Number(process.env.KNOWLEDGE_BENCH_CHUNKS ?? 100_000);
/** `exact`, `pgvector` or both (default): two processes may run one path each side by side. */
const PATHS = (process.env.KNOWLEDGE_BENCH_PATHS ?? 'exact,pgvector').split(',');
const QUERIES = Number(process.env.KNOWLEDGE_BENCH_QUERIES ?? 20);
const K = 10;
/** The embedding job's batch (apps/worker KnowledgeEmbeddingProcessor). */
const EMBED_BATCH = 64;
/** Chunks per entry: 256-token chunks, so an entry of ~10 × 230 tokens. */
const CHUNKS_PER_ENTRY = 10;
const MODEL = 'echo-embedding';
const SETTINGS: EmbeddingSettings = {
  provider: null,
  model: MODEL,
  servingProvider: null,
  servingModel: MODEL,
};

// A seeded generator: the same corpus on every run and on both paths.
function generator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

const random = generator(42);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'de', 'po', 'gu', 'shi'];
const word = () =>
  Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(syllables)).join('');
const COMMON = Array.from({ length: 400 }, word);
// 300 topics of 30 words each: texts of one topic share vocabulary, as documents on one subject do.
const TOPICS = Array.from({ length: 300 }, () => Array.from({ length: 30 }, word));

function paragraph(topic: readonly string[], words: number): string {
  return Array.from({ length: words }, () => (random() < 0.5 ? pick(topic) : pick(COMMON))).join(
    ' ',
  );
}

// An entry's content: CHUNKS_PER_ENTRY paragraphs of one topic, each about one chunk long.
function entryContent(): string {
  const topic = pick(TOPICS);
  return Array.from({ length: CHUNKS_PER_ENTRY }, () => `${paragraph(topic, 95)}.`).join('\n');
}

interface PathResult {
  backend: VectorBackend;
  chunks: number;
  ingestSeconds: number;
  embedSeconds: number;
  searchMs: number[];
  recallAt10: number | null;
}

async function runPath(
  backend: VectorBackend,
  db: DataSource,
  contents: string[],
  queries: string[],
): Promise<PathResult> {
  const [{ id: tenantId }] = await db.query(
    `INSERT INTO tenants (name) VALUES ('knowledge bench') RETURNING id`,
  );
  let started = performance.now();
  for (let i = 0; i < contents.length; i += 50) {
    await inTenantTransaction(db, tenantId, async (manager) => {
      for (const content of contents.slice(i, i + 50)) {
        await createKnowledgeEntry(manager, tenantId, {
          type: 'documentation',
          title: content.slice(0, 40),
          content,
          tags: [],
          visibility: 'tenant',
          agentIds: [],
          ownerAgentId: null,
          confidence: null,
          source: null,
          collection: null,
        });
      }
    });
  }
  const ingestSeconds = (performance.now() - started) / 1000;
  const [{ n: chunks }] = await db.query(`SELECT count(*)::int AS n FROM knowledge_chunks`);
  log(
    `${backend}: ${contents.length} entries, ${chunks} chunks written in ${round(ingestSeconds)} s`,
  );

  started = performance.now();
  for (;;) {
    const batch = await inTenantTransaction(db, tenantId, (manager) =>
      claimChunksToEmbed(manager, tenantId, SETTINGS, EMBED_BATCH),
    );
    if (batch.length === 0) break;
    const vectors = batch.map((chunk) => ({
      chunkId: chunk.id,
      vector: echoEmbedding(chunk.content),
    }));
    await inTenantTransaction(db, tenantId, (manager) =>
      storeEmbeddings(manager, backend, SETTINGS, vectors),
    );
  }
  await inTenantTransaction(db, tenantId, (manager) =>
    settleEmbeddings(manager, tenantId, SETTINGS),
  );
  const embedSeconds = (performance.now() - started) / 1000;
  log(`${backend}: embedded in ${round(embedSeconds)} s`);
  await db.query(`ANALYZE knowledge_chunks`);

  const searchMs: number[] = [];
  const found: string[][] = [];
  for (const query of queries) {
    const queryVector = { vector: echoEmbedding(query), model: MODEL };
    const t0 = performance.now();
    const hits = await inTenantTransaction(db, tenantId, (manager) =>
      searchChunks(manager, {
        query,
        k: K,
        mode: 'semantic',
        queryVector,
        backend,
        filters: {},
        target: { kind: 'entries' },
      }),
    );
    searchMs.push(performance.now() - t0);
    found.push(hits.map((hit) => hit.chunkId));
  }

  // Recall@10: the HNSW walk's top 10 chunks against the exact top 10 of the same rows.
  let recallAt10: number | null = null;
  if (backend === 'pgvector') {
    let overlap = 0;
    for (const query of queries) {
      const q = vectorParameter('pgvector', echoEmbedding(query));
      const { orderBy } = similaritySql('pgvector', 'c.embedding', '$1', 384);
      const top = (indexed: boolean) =>
        inTenantTransaction(db, tenantId, async (manager) => {
          await manager.query(`SET LOCAL enable_indexscan = ${indexed ? 'on' : 'off'}`);
          await manager.query(`SET LOCAL enable_seqscan = ${indexed ? 'off' : 'on'}`);
          await manager.query(`SET LOCAL hnsw.ef_search = 100`);
          const rows: { id: string }[] = await manager.query(
            `SELECT c.id FROM knowledge_chunks c WHERE c.embedding_dims = 384
              ORDER BY ${orderBy} LIMIT ${K}`,
            [q],
          );
          return rows.map((row) => row.id);
        });
      const exact = new Set(await top(false));
      overlap += (await top(true)).filter((id) => exact.has(id)).length;
    }
    recallAt10 = overlap / (queries.length * K);
  }
  return { backend, chunks, ingestSeconds, embedSeconds, searchMs, recallAt10 };
}

function log(line: string) {
  process.stderr.write(`[bench:knowledge] ${line}\n`);
}

async function main() {
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const entries = Math.ceil(CHUNKS / CHUNKS_PER_ENTRY);
  const contents = Array.from({ length: entries }, entryContent);
  const queries = Array.from({ length: QUERIES }, () => paragraph(pick(TOPICS), 12));
  const results: PathResult[] = [];

  // The exact path: the stock PostgreSQL.
  if (PATHS.includes('exact')) await runExact(adminUrl, contents, queries, results);
  if (PATHS.includes('pgvector')) await runPgvector(contents, queries, results);
  printTable(results);
}

async function runExact(
  adminUrl: string,
  contents: string[],
  queries: string[],
  results: PathResult[],
) {
  const name = `agentq_bench_knowledge_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  try {
    const db = createDataSource({ url: databaseUrlFor(adminUrl, name), poolSize: 2 });
    await db.initialize();
    await db.runMigrations();
    results.push(await runPath('exact', db, contents, queries));
    await db.destroy();
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

async function runPgvector(contents: string[], queries: string[], results: PathResult[]) {
  // The pgvector path: PGlite (PostgreSQL compiled to WebAssembly) with pgvector, over the wire.
  const pglite = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1' });
  await server.start();
  try {
    // `host:port`, the port the OS gave (port 0 asks for a free one).
    const port = server.getServerConn().split(':').pop();
    const db = createDataSource({
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      poolSize: 1,
    });
    await db.initialize();
    await db.runMigrations();
    results.push(await runPath('pgvector', db, contents, queries));
    await db.destroy();
  } finally {
    await server.stop();
    await pglite.close();
  }
}

function printTable(results: PathResult[]) {
  const rows = results.map((r) => {
    const p50 = round(percentile(r.searchMs, 50));
    const p95 = round(percentile(r.searchMs, 95));
    return (
      `| ${r.backend === 'exact' ? 'exact scan (stock PostgreSQL, real[])' : 'pgvector HNSW (PGlite, WASM)'} ` +
      `| ${r.chunks} | ${round(r.chunks / r.ingestSeconds, 0)} | ${round(r.chunks / r.embedSeconds, 0)} ` +
      `| ${p50} | ${p95} | ${r.recallAt10 === null ? '1 (is exact)' : round(r.recallAt10, 3)} |`
    );
  });
  process.stdout.write(
    [
      `knowledge search, ${CHUNKS} chunks, echo embeddings (384 dims), ${QUERIES} queries, k = ${K}`,
      '',
      '| path | chunks | written /s | embedded /s | search p50 ms | search p95 ms | recall@10 |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().catch((error: Error) => {
  process.stderr.write(`bench:knowledge failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
