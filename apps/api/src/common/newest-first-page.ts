import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ValidationFailedError } from './api-errors';
import { DEFAULT_PAGE_SIZE, PageQuery } from './page.query';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

interface Cursor {
  createdAt: string;
  id: string;
}

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(value: string): Cursor {
  try {
    const cursor = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (ISO_MICROS.test(String(cursor.createdAt)) && UUID.test(String(cursor.id))) {
      return { createdAt: String(cursor.createdAt), id: String(cursor.id) };
    }
  } catch {
    // reported below
  }
  throw new ValidationFailedError([
    { field: 'cursor', message: 'cursor is not one this API issued' },
  ]);
}

/**
 * Runs `query` newest first, keyset-paginated on (created_at, id) of `alias`. Cursors carry the
 * microsecond timestamp PostgreSQL stores (a JS Date would round it and skip or repeat rows).
 */
export async function newestFirstPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  page: PageQuery,
): Promise<Page<T>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  query
    .addSelect(
      `to_char(${alias}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      'page_cursor_created_at',
    )
    .orderBy(`${alias}.created_at`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(limit + 1);
  if (page.cursor) {
    const cursor = decodeCursor(page.cursor);
    query.andWhere(
      `(${alias}.created_at, ${alias}.id) < (:pageCreatedAt::timestamptz, :pageId::uuid)`,
      {
        pageCreatedAt: cursor.createdAt,
        pageId: cursor.id,
      },
    );
  }
  const { entities, raw } = await query.getRawAndEntities<{ page_cursor_created_at: string }>();
  if (entities.length <= limit) return { data: entities, nextCursor: null };
  const data = entities.slice(0, limit);
  const last = data[limit - 1];
  const lastRaw = raw[limit - 1];
  return {
    data,
    nextCursor: encodeCursor({ createdAt: lastRaw.page_cursor_created_at, id: last.id }),
  };
}
