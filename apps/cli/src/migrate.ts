import { loadConfigOrExit, loadDatabaseConfig } from '@agentq/config';
import { createDataSource } from '@agentq/database';
import { DataSource } from 'typeorm';

async function countAppliedMigrations(dataSource: DataSource): Promise<number> {
  const [{ exists }] = await dataSource.query(
    `SELECT to_regclass('typeorm_migrations') IS NOT NULL AS exists`,
  );
  if (!exists) return 0;
  const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM typeorm_migrations`);
  return n;
}

const USAGE = 'usage: migrate up | migrate down [--all]';

async function main(argv: string[]): Promise<void> {
  const [direction, flag] = argv;
  if (direction !== 'up' && direction !== 'down') throw new Error(USAGE);
  const database = loadConfigOrExit(process.env, loadDatabaseConfig);
  const dataSource = createDataSource({ url: database.url, applicationName: 'agentq-migrate' });
  await dataSource.initialize();
  try {
    if (direction === 'up') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(
        applied.length === 0
          ? 'migrate: schema is up to date'
          : `migrate: applied ${applied.map((m) => m.name).join(', ')}`,
      );
      return;
    }
    const all = flag === '--all';
    let reverted = 0;
    while ((await countAppliedMigrations(dataSource)) > 0) {
      await dataSource.undoLastMigration({ transaction: 'each' });
      reverted += 1;
      if (!all) break;
    }
    console.log(`migrate: reverted ${reverted} migration(s)`);
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`migrate: ${error.message}`);
  process.exit(1);
});
