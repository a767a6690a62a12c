/** Runs one statement and answers how many rows it changed: what a batched retention round needs. */
export type AffectedRowsQuery = (sql: string, parameters: unknown[]) => Promise<number>;
