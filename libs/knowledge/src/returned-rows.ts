/**
 * The rows of an UPDATE or DELETE ... RETURNING: TypeORM's PostgreSQL driver answers those as
 * `[rows, affectedCount]` (an INSERT or SELECT answers the rows alone).
 */
export function returnedRows<Row>(result: unknown): Row[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as Row[];
  }
  return result as Row[];
}
