import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DEFAULT_PAGE_SIZE, PageQuery } from './page.query';
import { decodePosition, encodePosition, microsSql } from './page-cursor';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** The columns a page is ordered on: `alias.created_at, alias.id` unless given. */
export interface PageOrder {
  createdAt: string;
  id: string;
}

/**
 * Runs `query` newest first, keyset-paginated on (created_at, id) of `alias` (or on `order`, two
 * columns equal to them, such as an index table's copy). Cursors carry the microsecond
 * timestamp PostgreSQL stores (a JS Date would round it and skip or repeat rows).
 */
export async function newestFirstPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  page: PageQuery,
  order: PageOrder = { createdAt: `${alias}.created_at`, id: `${alias}.id` },
): Promise<Page<T>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  query
    .addSelect(microsSql(order.createdAt), 'page_cursor_created_at')
    .orderBy(order.createdAt, 'DESC')
    .addOrderBy(order.id, 'DESC')
    .limit(limit + 1);
  if (page.cursor) {
    const cursor = decodePosition(page.cursor);
    query.andWhere(
      `(${order.createdAt}, ${order.id}) < (:pageCreatedAt::timestamptz, :pageId::uuid)`,
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
    nextCursor: encodePosition({ createdAt: lastRaw.page_cursor_created_at, id: last.id }),
  };
}
