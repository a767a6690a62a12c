import { Page } from './newest-first-page';
import { DEFAULT_PAGE_SIZE, PageQuery } from './page.query';
import { decodePosition, encodePosition, microsSql, Position } from './page-cursor';

/**
 * Keyset paging, newest first on (created_at, id), for lists read with plain SQL. `where` is the
 * caller's condition on `params`; the cursor, order and limit are added here.
 */
export function rawNewestFirstPage<Row extends { id: string }>(
  query: (sql: string, params: unknown[]) => Promise<(Row & { page_cursor: string })[]>,
  table: string,
  where: string,
  params: unknown[],
  page: PageQuery,
): Promise<Page<Row>> {
  const n = params.length;
  return newestFirstPageFrom(
    (after, limit) =>
      query(
        `SELECT *, ${microsSql('created_at')} AS page_cursor FROM ${table}
          WHERE ${where}
            AND ($${n + 1}::timestamptz IS NULL OR (created_at, id) < ($${n + 1}::timestamptz, $${n + 2}::uuid))
          ORDER BY created_at DESC, id DESC
          LIMIT $${n + 3}`,
        [...params, after?.createdAt ?? null, after?.id ?? null, limit],
      ),
    page,
  );
}

/**
 * The same paging over a reader an owning lib provides: `read` returns up to `limit` rows
 * newest first after a position, each with `page_cursor` (its created_at, microseconds kept).
 */
export async function newestFirstPageFrom<Row extends { id: string }>(
  read: (after: Position | null, limit: number) => Promise<(Row & { page_cursor: string })[]>,
  page: PageQuery,
): Promise<Page<Row>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  const cursor = page.cursor ? decodePosition(page.cursor) : null;
  const rows = await read(cursor, limit + 1);
  const data = rows.slice(0, limit);
  const last = rows.length > limit ? data[limit - 1] : null;
  return {
    data,
    nextCursor: last ? encodePosition({ createdAt: last.page_cursor, id: last.id }) : null,
  };
}
