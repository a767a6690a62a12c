import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ValidationFailedError } from '../common/api-errors';
import { Page } from '../common/newest-first-page';
import { DEFAULT_PAGE_SIZE, PageQuery } from '../common/page.query';

/** A position in an oldest-first listing: the (created_at, id) of the last row seen. */
export interface Position {
  createdAt: string;
  id: string;
}

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** created_at as PostgreSQL stores it (microseconds), for cursors a JS Date would round. */
export const microsSql = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const encodePosition = (position: Position) =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

export function decodePosition(value: string, field = 'cursor'): Position {
  try {
    const cursor = JSON.parse(
      Buffer.from(value, 'base64url').toString('utf8'),
    ) as Partial<Position>;
    if (ISO_MICROS.test(String(cursor.createdAt)) && UUID.test(String(cursor.id))) {
      return { createdAt: String(cursor.createdAt), id: String(cursor.id) };
    }
  } catch {
    // reported below
  }
  throw new ValidationFailedError([{ field, message: `${field} is not one this API issued` }]);
}

/** Runs `query` oldest first, keyset-paginated on (created_at, id) of `alias`, after `from`. */
export async function oldestFirstPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  page: PageQuery,
  from: Position | null = page.cursor ? decodePosition(page.cursor) : null,
): Promise<Page<T> & { positions: Position[] }> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  query
    .addSelect(microsSql(`${alias}.created_at`), 'page_created_at')
    .orderBy(`${alias}.created_at`, 'ASC')
    .addOrderBy(`${alias}.id`, 'ASC')
    .limit(limit + 1);
  if (from) {
    query.andWhere(
      `(${alias}.created_at, ${alias}.id) > (:fromCreatedAt::timestamptz, :fromId::uuid)`,
      { fromCreatedAt: from.createdAt, fromId: from.id },
    );
  }
  const { entities, raw } = await query.getRawAndEntities<{ page_created_at: string }>();
  const positions = entities.map((row, i) => ({ createdAt: raw[i].page_created_at, id: row.id }));
  if (entities.length <= limit) return { data: entities, nextCursor: null, positions };
  return {
    data: entities.slice(0, limit),
    nextCursor: encodePosition(positions[limit - 1]),
    positions: positions.slice(0, limit),
  };
}
