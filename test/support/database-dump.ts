import { DataSource } from 'typeorm';

/** Every row of every table in the public schema, as text. */
export async function dumpDatabase(dataSource: DataSource): Promise<string> {
  const tables: { table_name: string }[] = await dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows: { row: string }[] = await dataSource.query(
      `SELECT t::text AS row FROM "${table_name}" t`,
    );
    parts.push(...rows.map((r) => `${table_name} ${r.row}`));
  }
  return parts.join('\n');
}
