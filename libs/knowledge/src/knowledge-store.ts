import { EntityManager } from 'typeorm';
import { chunkText, DEFAULT_CHUNKING } from './chunking';
import { returnedRows } from './returned-rows';
import {
  KnowledgeChunk,
  KnowledgeEntry,
  KnowledgeEntryFields,
  KnowledgeFilters,
  KnowledgeVersion,
} from './knowledge-types';

// Every function here runs inside the caller's tenant transaction (inTenantTransaction), so
// row-level security scopes each statement to the tenant, and to the agent when one is set.

interface EntryRow {
  id: string;
  tenant_id: string;
  type: KnowledgeEntry['type'];
  title: string;
  content: string;
  tags: string[];
  visibility: KnowledgeEntry['visibility'];
  agent_ids: string[];
  owner_agent_id: string | null;
  confidence: number | null;
  source: KnowledgeEntry['source'];
  collection: string | null;
  version: number;
  embedding_status: KnowledgeEntry['embeddingStatus'];
  embedding_error: string | null;
  created_at: Date;
  updated_at: Date;
}

const ENTRY_COLUMNS = `id, tenant_id, type, title, content, tags, visibility, agent_ids, owner_agent_id,
  confidence, source, collection, version, embedding_status, embedding_error, created_at, updated_at`;

function toEntry(row: EntryRow): KnowledgeEntry {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    type: row.type,
    title: row.title,
    content: row.content,
    tags: row.tags,
    visibility: row.visibility,
    agentIds: row.agent_ids,
    ownerAgentId: row.owner_agent_id,
    confidence: row.confidence === null ? null : Number(row.confidence),
    source: row.source,
    collection: row.collection,
    version: row.version,
    embeddingStatus: row.embedding_status,
    embeddingError: row.embedding_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Limits what the rest of the transaction sees to what `agentId` may see (the row-level policy
 * reads `agentq.agent_id`): a search on an agent's behalf calls this first.
 */
export async function actAsAgent(manager: EntityManager, agentId: string): Promise<void> {
  await manager.query(`SELECT set_config('agentq.agent_id', $1, true)`, [agentId]);
}

/** Entry ids among `ids` that are the tenant's agents (an access list names only those). */
export async function unknownAgentIds(
  manager: EntityManager,
  tenantId: string,
  ids: string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows: { id: string }[] = await manager.query(
    `SELECT id FROM agents WHERE tenant_id = $1 AND id = ANY ($2::uuid[])`,
    [tenantId, ids],
  );
  const known = new Set(rows.map((row) => row.id));
  return ids.filter((id) => !known.has(id));
}

async function insertChunks(
  manager: EntityManager,
  tenantId: string,
  owner: { entryId: string } | { memoryId: string },
  content: string,
  copies: Pick<
    KnowledgeEntryFields,
    'type' | 'tags' | 'collection' | 'visibility' | 'agentIds' | 'ownerAgentId'
  >,
): Promise<number> {
  const chunks = chunkText(content, DEFAULT_CHUNKING);
  if (chunks.length === 0) return 0;
  await manager.query(
    `INSERT INTO knowledge_chunks (tenant_id, entry_id, memory_id, ordinal, content, start_token,
        token_count, type, tags, collection, visibility, agent_ids, owner_agent_id)
     SELECT $1, $2, $3, c.ordinal, c.content, c.start_token, c.token_count, $4, $5, $6, $7, $8, $9
       FROM unnest($10::int[], $11::text[], $12::int[], $13::int[])
         AS c(ordinal, content, start_token, token_count)`,
    [
      tenantId,
      'entryId' in owner ? owner.entryId : null,
      'memoryId' in owner ? owner.memoryId : null,
      copies.type,
      copies.tags,
      copies.collection,
      copies.visibility,
      copies.agentIds,
      copies.ownerAgentId,
      chunks.map((c) => c.ordinal),
      chunks.map((c) => c.content),
      chunks.map((c) => c.startToken),
      chunks.map((c) => c.tokenCount),
    ],
  );
  return chunks.length;
}

/** Writes an entry, its first version and its chunks (embedding pending). */
export async function createKnowledgeEntry(
  manager: EntityManager,
  tenantId: string,
  fields: KnowledgeEntryFields,
): Promise<KnowledgeEntry> {
  const [row]: EntryRow[] = await manager.query(
    `INSERT INTO knowledge_entries (tenant_id, type, title, content, tags, visibility, agent_ids,
        owner_agent_id, confidence, source, collection)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     RETURNING ${ENTRY_COLUMNS}`,
    [
      tenantId,
      fields.type,
      fields.title,
      fields.content,
      fields.tags,
      fields.visibility,
      fields.agentIds,
      fields.ownerAgentId,
      fields.confidence,
      fields.source === null ? null : JSON.stringify(fields.source),
      fields.collection,
    ],
  );
  await insertVersion(manager, toEntry(row));
  await insertChunks(manager, tenantId, { entryId: row.id }, fields.content, fields);
  return toEntry(row);
}

async function insertVersion(manager: EntityManager, entry: KnowledgeEntry): Promise<void> {
  await manager.query(
    `INSERT INTO knowledge_versions (entry_id, version, tenant_id, type, title, content, tags,
        confidence, collection)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      entry.id,
      entry.version,
      entry.tenantId,
      entry.type,
      entry.title,
      entry.content,
      entry.tags,
      entry.confidence,
      entry.collection,
    ],
  );
}

export async function findKnowledgeEntry(
  manager: EntityManager,
  id: string,
): Promise<KnowledgeEntry | null> {
  const [row]: EntryRow[] = await manager.query(
    `SELECT ${ENTRY_COLUMNS} FROM knowledge_entries WHERE id = $1`,
    [id],
  );
  return row ? toEntry(row) : null;
}

/** Entries by id among `ids`: those this transaction may see. */
export async function findKnowledgeEntries(
  manager: EntityManager,
  ids: string[],
): Promise<Map<string, KnowledgeEntry>> {
  if (ids.length === 0) return new Map();
  const rows: EntryRow[] = await manager.query(
    `SELECT ${ENTRY_COLUMNS} FROM knowledge_entries WHERE id = ANY ($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, toEntry(row)]));
}

/**
 * Applies `changes` to an entry. A change of its type, title, content, tags, confidence or
 * collection is a new version; new content is chunked again and waits for its embeddings.
 * Returns the entry as it now is, with whether its content changed, or null when it is not there.
 */
export async function updateKnowledgeEntry(
  manager: EntityManager,
  id: string,
  changes: Partial<KnowledgeEntryFields>,
): Promise<{ entry: KnowledgeEntry; contentChanged: boolean } | null> {
  const [locked]: EntryRow[] = await manager.query(
    `SELECT ${ENTRY_COLUMNS} FROM knowledge_entries WHERE id = $1 FOR UPDATE`,
    [id],
  );
  if (!locked) return null;
  const before = toEntry(locked);
  const after: KnowledgeEntry = { ...before, ...definedOnly(changes) };
  const versioned = (
    ['type', 'title', 'content', 'tags', 'confidence', 'collection'] as const
  ).some((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
  const contentChanged = before.content !== after.content;
  const [row] = returnedRows<EntryRow>(
    await manager.query(
      `UPDATE knowledge_entries
        SET type = $2, title = $3, content = $4, tags = $5, visibility = $6, agent_ids = $7,
            owner_agent_id = $8, confidence = $9, source = $10, collection = $11,
            version = version + $12, updated_at = now(),
            embedding_status = CASE WHEN $13 THEN 'pending' ELSE embedding_status END,
            embedding_error = CASE WHEN $13 THEN NULL ELSE embedding_error END
      WHERE id = $1
      RETURNING ${ENTRY_COLUMNS}`,
      [
        id,
        after.type,
        after.title,
        after.content,
        after.tags,
        after.visibility,
        after.agentIds,
        after.ownerAgentId,
        after.confidence,
        after.source === null ? null : JSON.stringify(after.source),
        after.collection,
        versioned ? 1 : 0,
        contentChanged,
      ],
    ),
  );
  const entry = toEntry(row);
  if (versioned) await insertVersion(manager, entry);
  if (contentChanged) {
    await manager.query(`DELETE FROM knowledge_chunks WHERE entry_id = $1`, [id]);
    await insertChunks(manager, entry.tenantId, { entryId: id }, entry.content, entry);
  } else {
    await manager.query(
      `UPDATE knowledge_chunks SET type = $2, tags = $3, collection = $4, visibility = $5,
              agent_ids = $6, owner_agent_id = $7
        WHERE entry_id = $1`,
      [
        id,
        entry.type,
        entry.tags,
        entry.collection,
        entry.visibility,
        entry.agentIds,
        entry.ownerAgentId,
      ],
    );
  }
  return { entry, contentChanged };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Deletes an entry with its versions and chunks; false when it is not there. */
export async function deleteKnowledgeEntry(manager: EntityManager, id: string): Promise<boolean> {
  const rows = returnedRows(
    await manager.query(`DELETE FROM knowledge_entries WHERE id = $1 RETURNING id`, [id]),
  );
  return rows.length > 0;
}

export interface EntryPosition {
  createdAt: string;
  id: string;
}

/** Entries newest first after `after`, filtered; each row with its position for the next page. */
export async function listKnowledgeEntries(
  manager: EntityManager,
  filters: KnowledgeFilters & { type?: string; tag?: string; collection?: string },
  limit: number,
  after: EntryPosition | null,
): Promise<{ entry: KnowledgeEntry; position: EntryPosition }[]> {
  const rows: (EntryRow & { position: string })[] = await manager.query(
    `SELECT ${ENTRY_COLUMNS},
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position
       FROM knowledge_entries
      WHERE ($1::text[] IS NULL OR type = ANY ($1))
        AND ($2::text[] IS NULL OR tags && $2)
        AND ($3::text[] IS NULL OR collection = ANY ($3))
        AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $6`,
    [
      filters.types ?? null,
      filters.tags ?? null,
      filters.collections ?? null,
      after?.createdAt ?? null,
      after?.id ?? null,
      limit,
    ],
  );
  return rows.map((row) => ({
    entry: toEntry(row),
    position: { createdAt: row.position, id: row.id },
  }));
}

export async function listKnowledgeVersions(
  manager: EntityManager,
  entryId: string,
): Promise<KnowledgeVersion[]> {
  const rows: VersionRow[] = await manager.query(
    `SELECT * FROM knowledge_versions WHERE entry_id = $1 ORDER BY version DESC`,
    [entryId],
  );
  return rows.map(toVersion);
}

export async function findKnowledgeVersion(
  manager: EntityManager,
  entryId: string,
  version: number,
): Promise<KnowledgeVersion | null> {
  const [row]: VersionRow[] = await manager.query(
    `SELECT * FROM knowledge_versions WHERE entry_id = $1 AND version = $2`,
    [entryId, version],
  );
  return row ? toVersion(row) : null;
}

interface VersionRow {
  entry_id: string;
  version: number;
  type: KnowledgeVersion['type'];
  title: string;
  content: string;
  tags: string[];
  confidence: number | null;
  collection: string | null;
  created_at: Date;
}

const toVersion = (row: VersionRow): KnowledgeVersion => ({
  entryId: row.entry_id,
  version: row.version,
  type: row.type,
  title: row.title,
  content: row.content,
  tags: row.tags,
  confidence: row.confidence === null ? null : Number(row.confidence),
  collection: row.collection,
  createdAt: row.created_at,
});

/** An entry's chunks in order, with the model of the vector serving each (null: none yet). */
export async function listKnowledgeChunks(
  manager: EntityManager,
  entryId: string,
): Promise<KnowledgeChunk[]> {
  const rows: {
    id: string;
    ordinal: number;
    content: string;
    start_token: number;
    token_count: number;
    embedding_model: string | null;
    embedding_dims: number | null;
  }[] = await manager.query(
    `SELECT id, ordinal, content, start_token, token_count, embedding_model, embedding_dims
       FROM knowledge_chunks WHERE entry_id = $1 ORDER BY ordinal`,
    [entryId],
  );
  return rows.map((row) => ({
    id: row.id,
    ordinal: row.ordinal,
    content: row.content,
    startToken: row.start_token,
    tokenCount: row.token_count,
    embeddingModel: row.embedding_model,
    embeddingDims: row.embedding_dims,
  }));
}

/** A memory's text as one searchable, embeddable chunk set, private to its agent. */
export async function indexMemory(
  manager: EntityManager,
  tenantId: string,
  memory: { id: string; agentId: string; content: string },
): Promise<void> {
  await manager.query(`DELETE FROM knowledge_chunks WHERE memory_id = $1`, [memory.id]);
  await insertChunks(manager, tenantId, { memoryId: memory.id }, memory.content, {
    type: null as never,
    tags: [],
    collection: null,
    visibility: 'private',
    agentIds: [],
    ownerAgentId: memory.agentId,
  });
}

/**
 * An execution's output stored as an entry (`saveOutputAs`), visible to the tenant, its source
 * the execution. Called in the execution's terminal transaction; embedded by the next job.
 */
export async function saveOutputAsKnowledge(
  manager: EntityManager,
  tenantId: string,
  executionId: string,
  target: { type: string; title: string; tags?: string[]; collection?: string | null },
  output: string,
): Promise<KnowledgeEntry> {
  return createKnowledgeEntry(manager, tenantId, {
    type: target.type as KnowledgeEntry['type'],
    title: target.title,
    content: output,
    tags: target.tags ?? [],
    visibility: 'tenant',
    agentIds: [],
    ownerAgentId: null,
    confidence: null,
    source: { kind: 'execution', executionId },
    collection: target.collection ?? null,
  });
}
