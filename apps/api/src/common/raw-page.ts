import { Page } from './newest-first-page';
import { DEFAULT_PAGE_SIZE, PageQuery } from './page.query';
import { decodePosition, encodePosition, microsSql } from './page-cursor';

/**
 * Keyset paging, newest first on (created_at, id), for lists read with plain SQL. `where` is the
 * caller's condition on `params`; the cursor, order and limit are added here.
 */
export async function rawNewestFirstPage<Row extends { id: string }>(
  query: (sql: string, params: unknown[]) => Promise<(Row & { page_cursor: string })[]>,
  table: string,
  where: string,
  params: unknown[],
  page: PageQuery,
): Promise<Page<Row>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  const cursor = page.cursor ? decodePosition(page.cursor) : null;
  const n = params.length;
  const rows = await query(
    `SELECT *, ${microsSql('created_at')} AS page_cursor FROM ${table}
      WHERE ${where}
        AND ($${n + 1}::timestamptz IS NULL OR (created_at, id) < ($${n + 1}::timestamptz, $${n + 2}::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $${n + 3}`,
    [...params, cursor?.createdAt ?? null, cursor?.id ?? null, limit + 1],
  );
  const data = rows.slice(0, limit);
  const last = rows.length > limit ? data[limit - 1] : null;
  return {
    data,
    nextCursor: last ? encodePosition({ createdAt: last.page_cursor, id: last.id }) : null,
  };
}
