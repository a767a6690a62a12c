import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { Page } from '../common/newest-first-page';
import { DEFAULT_PAGE_SIZE, PageQuery } from '../common/page.query';
import { decodePosition, encodePosition, microsSql, Position } from '../common/page-cursor';

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
