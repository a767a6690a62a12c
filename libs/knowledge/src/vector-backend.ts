import { EntityManager } from 'typeorm';

/** pgvector's `vector` column with HNSW indexes, or an exact scan over `real[]`. */
export type VectorBackend = 'pgvector' | 'exact';

export interface VectorSupport {
  backend: VectorBackend;
  /** The server offers pgvector (installed or not): the exact path could move to it. */
  pgvectorAvailable: boolean;
}

/**
 * Which vector path this database uses, read at boot: the migration made
 * `knowledge_chunks.embedding` a `vector` where pgvector could be created, else a `real[]`.
 */
export async function detectVectorSupport(manager: EntityManager): Promise<VectorSupport> {
  const [row]: { type: string | null; available: boolean }[] = await manager.query(
    `SELECT (SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
              WHERE a.attrelid = to_regclass('knowledge_chunks') AND a.attname = 'embedding'
                AND NOT a.attisdropped) AS type,
            EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available`,
  );
  return {
    backend: row?.type === 'vector' ? 'pgvector' : 'exact',
    pgvectorAvailable: row?.available ?? false,
  };
}

/** A vector as the backend's column takes it (a parameter, cast in the SQL). */
export function vectorParameter(backend: VectorBackend, vector: number[]): string | number[] {
  return backend === 'pgvector' ? `[${vector.join(',')}]` : vector;
}

export const vectorCast = (backend: VectorBackend) =>
  backend === 'pgvector' ? 'vector' : 'real[]';

/**
 * SQL for the similarity of column `column` to parameter `$param` (both of `dims` dimensions),
 * 1 = same direction, and the ORDER BY that an index can serve. `dims` is an integer the
 * caller checked: pgvector indexes a typed `vector(dims)` expression.
 */
export function similaritySql(
  backend: VectorBackend,
  column: string,
  param: string,
  dims: number,
): { similarity: string; orderBy: string } {
  if (!Number.isSafeInteger(dims) || dims < 1 || dims > 16_000) {
    throw new RangeError(`not a vector size: ${dims}`);
  }
  if (backend === 'pgvector') {
    const distance = `(${column}::vector(${dims}) <=> ${param}::vector(${dims}))`;
    return { similarity: `(1 - ${distance})`, orderBy: `${distance} ASC` };
  }
  const dot = `agentq_dot(${column}, ${param}::real[])`;
  return { similarity: dot, orderBy: `${dot} DESC` };
}
