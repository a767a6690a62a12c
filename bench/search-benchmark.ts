import { loadBenchConfig } from './bench-config';
import { BenchEnvironment, BenchRun } from './bench-environment';
import { percentile, round } from './stats';

// npm run bench:search: the first page of GET /v1/executions filtered by tag, end user and
// metadata, on BENCH_SEARCH_ROWS (1,000,000) executions of one tenant, through the built API.
// The rows are written by one INSERT … SELECT generate_series, not through the API.

const ROWS = Number(process.env.BENCH_SEARCH_ROWS ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_SEARCH_REQUESTS ?? 200);
const USERS = 10_000;
const TEAMS = 20;
const INVOICES = 100_000;
const ORDERS = 200_000;

// Spread over the last ~30 days; every row attributed: 1 of 10,000 users (100 rows each), a
// team tag (1 of 20: 5% of the rows, a common tag) and an invoice tag (10 rows: a rare one).
const INSERT_ROWS_SQL = `
INSERT INTO agent_executions (tenant_id, agent_id, status, priority, input, output, attempts,
                              model, prompt_tokens, completion_tokens, cost_usd, duration_ms,
                              queued_at, started_at, completed_at, created_at, api_key_id,
                              end_user, tags, metadata)
SELECT $1, $2, 'succeeded', 5, jsonb_build_object('message', 'ticket ' || i),
       jsonb_build_object('text', 'done', 'model', 'echo-1'), 1, 'echo-1', 20, 5, 0.000006,
       40, t, t, t + interval '40 milliseconds', t, $3,
       'user-' || (i % ${USERS}),
       ARRAY['team:' || (i % ${TEAMS}), 'invoice-' || (i % ${INVOICES})],
       jsonb_build_object('orderId', 'order-' || (i % ${ORDERS}))
  FROM generate_series(0, $4::int - 1) AS i,
       LATERAL (SELECT now() - ($4::int - i) * interval '2.5 seconds' AS t) AS times`;

interface Filter {
  name: string;
  matches: string;
  query: (n: number) => string;
  /** The same filter as the statement's condition on e and its label joins. */
  statement: (n: number) => { where: string; labels: string[] };
}

const FILTERS: Filter[] = [
  {
    name: 'tag (rare)',
    matches: `${ROWS / INVOICES} rows`,
    query: (n) => `tag=invoice-${n % Math.min(INVOICES, ROWS)}`,
    statement: (n) => ({ where: 'true', labels: [`tag:invoice-${n % Math.min(INVOICES, ROWS)}`] }),
  },
  {
    name: 'tag (common)',
    matches: `${ROWS / TEAMS} rows`,
    query: (n) => `tag=team:${n % TEAMS}`,
    statement: (n) => ({ where: 'true', labels: [`tag:team:${n % TEAMS}`] }),
  },
  {
    name: 'user',
    matches: `${ROWS / USERS} rows`,
    query: (n) => `user=user-${n % USERS}`,
    statement: (n) => ({ where: `e.end_user = 'user-${n % USERS}'`, labels: [] }),
  },
  {
    name: 'metadata',
    matches: `${ROWS / ORDERS} rows`,
    query: (n) => `metadata.orderId=order-${n % Math.min(ORDERS, ROWS)}`,
    statement: (n) => ({
      where: 'true',
      labels: [`meta:orderId="order-${n % Math.min(ORDERS, ROWS)}"`],
    }),
  },
  {
    name: 'user + tag',
    // A user's rows all carry one team tag (20 divides 10,000): the same rows as the user alone.
    matches: `${ROWS / USERS} rows`,
    query: (n) => `user=user-${n % USERS}&tag=team:${(n % USERS) % TEAMS}`,
    statement: (n) => ({
      where: `e.end_user = 'user-${n % USERS}'`,
      labels: [`tag:team:${(n % USERS) % TEAMS}`],
    }),
  },
];

async function timePages(url: string, apiKey: string, filter: Filter): Promise<number[]> {
  const latencies: number[] = [];
  // Values spread over the range, so the cache does not hold only the pages asked for.
  const step = 7_919;
  for (let n = 0; n < REQUESTS + 20; n += 1) {
    const started = performance.now();
    const answer = await fetch(`${url}/v1/executions?limit=20&${filter.query(n * step)}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    const body = (await answer.json()) as { data?: unknown[] };
    const elapsed = performance.now() - started;
    if (answer.status !== 200 || !body.data || body.data.length === 0) {
      throw new Error(`${filter.name}: ${answer.status} ${JSON.stringify(body).slice(0, 200)}`);
    }
    if (n >= 20) latencies.push(elapsed); // the first 20 warm the connection pool and caches
  }
  return latencies;
}

/** The statement the API builds for a filter (libs/executions' filteredExecutions). */
function statementSql(where: string, labels: string[]): string {
  const joins = labels
    .map(
      (label, n) =>
        `JOIN execution_labels l${n} ON l${n}.execution_id = e.id AND ` +
        `l${n}.tenant_id = e.tenant_id AND l${n}.label = '${label}'`,
    )
    .join(' ');
  const order =
    labels.length > 0 ? 'l0.created_at DESC, l0.execution_id DESC' : 'e.created_at DESC, e.id DESC';
  return `SELECT e.* FROM agent_executions e ${joins} WHERE e.tenant_id = $1 AND ${where}
           ORDER BY ${order} LIMIT 21`;
}

/** The plan PostgreSQL picks for the filter's first page (what the figure rests on). */
async function planOf(run: BenchRun, tenantId: string, filter: Filter): Promise<string> {
  const { where, labels } = filter.statement(7);
  const rows: { 'QUERY PLAN': string }[] = await run.dataSource.query(
    `EXPLAIN ${statementSql(where, labels)}`,
    [tenantId],
  );
  return rows
    .map((row) => row['QUERY PLAN'])
    .filter((line) => /Scan/.test(line))
    .map((line) => line.trim().replace(/\s+\(cost.*$/, ''))
    .join('; ');
}

/** PostgreSQL's own execution time of the first page (EXPLAIN ANALYZE), without HTTP and JSON. */
async function sqlTimes(run: BenchRun, tenantId: string, filter: Filter): Promise<number[]> {
  const times: number[] = [];
  for (let n = 0; n < REQUESTS; n += 1) {
    const { where, labels } = filter.statement(n * 7_919 + 13);
    const [row]: { 'QUERY PLAN': { 'Execution Time': number }[] }[] = await run.dataSource.query(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${statementSql(where, labels)}`,
      [tenantId],
    );
    times.push(row['QUERY PLAN'][0]['Execution Time']);
  }
  return times;
}

async function main() {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const environment = new BenchEnvironment(loadBenchConfig());
  const stop = () => void environment.dispose().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await environment.prepare();
    const run = await environment.newRun('search');
    try {
      const agent = await run.seedAgent();
      const [{ id: apiKeyId }] = await run.dataSource.query(
        `SELECT id FROM api_keys WHERE tenant_id = $1`,
        [agent.tenantId],
      );
      const started = performance.now();
      await run.dataSource.query(INSERT_ROWS_SQL, [agent.tenantId, agent.agentId, apiKeyId, ROWS]);
      // What autovacuum would do after such a load: statistics and visibility for both tables
      // (without them the planner cannot tell a rare tag from a common one).
      await run.dataSource.query(`VACUUM ANALYZE agent_executions`);
      await run.dataSource.query(`VACUUM ANALYZE execution_labels`);
      log(`inserted ${ROWS} executions in ${round((performance.now() - started) / 1_000)} s`);
      const [{ size }] = await run.dataSource.query(
        `SELECT pg_size_pretty(sum(pg_relation_size(indexrelid))
                               + pg_total_relation_size('execution_labels')) AS size
           FROM pg_index
          WHERE indexrelid::regclass::text IN ('agent_executions_end_user_created_idx',
                'agent_executions_api_key_created_idx')`,
      );
      log(`attribution indexes and execution_labels: ${size}`);
      const plans: Record<string, string> = {};
      const sql: Record<string, number[]> = {};
      for (const filter of FILTERS) {
        plans[filter.name] = await planOf(run, agent.tenantId, filter);
        sql[filter.name] = await sqlTimes(run, agent.tenantId, filter);
      }
      const api = await run.startApi();
      log(
        `\n| filter | matches | requests | HTTP p50 ms | HTTP p95 ms | HTTP max ms | SQL p50 ms | SQL p95 ms | plan |`,
      );
      log(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |`);
      for (const filter of FILTERS) {
        const latencies = await timePages(api.url, agent.apiKey, filter);
        log(
          `| ${filter.name} | ${filter.matches} | ${latencies.length} | ` +
            `${round(percentile(latencies, 50))} | ${round(percentile(latencies, 95))} | ` +
            `${round(Math.max(...latencies))} | ${round(percentile(sql[filter.name], 50), 2)} | ` +
            `${round(percentile(sql[filter.name], 95), 2)} | ${plans[filter.name]} |`,
        );
      }
    } finally {
      await run.close();
    }
  } finally {
    await environment.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
