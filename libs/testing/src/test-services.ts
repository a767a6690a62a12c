/** Where the test suites find PostgreSQL and Redis: DATABASE_URL / REDIS_URL, else localhost. */
export const testServices = {
  adminDatabaseUrl: () =>
    process.env.AGENTQ_TEST_ADMIN_DATABASE_URL ??
    process.env.DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};

export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
