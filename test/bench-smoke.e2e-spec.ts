import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testRunId } from '@agentq/testing';
import Redis from 'ioredis';
import { Client } from 'pg';
import { startProcess } from './support/child-process';

// The bench harness end to end on a tiny drain (built code, real processes). Timings are not
// asserted here: only that it runs, cleans up and writes a valid report whose accounting
// checks passed. `npm run bench` is where the numbers come from.
describe('bench harness', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'agentq-bench-'));

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('runs a small drain scenario and writes a JSON report', async () => {
    const bench = startProcess('dist/bench/run-benchmarks.js', {
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      BENCH_SCENARIOS: 'drain',
      // The PostgreSQL-native baseline once, with writes (its accounting checked); not the others.
      BENCH_VARIANTS: 'agentq,raw,naive,graphile-writes',
      BENCH_N: '200',
      BENCH_NAIVE_N: '100',
      BENCH_RUNS: '1',
      BENCH_CONCURRENCY: '10',
      BENCH_OUT_DIR: outDir,
      // Inside this test run's names, so the global teardown removes anything left behind.
      BENCH_NAME_PREFIX: `agentq_test_${testRunId()}_bench`,
    });
    const exit = await bench.exited;
    expect({ exit, output: bench.output().slice(-3_000) }).toMatchObject({ exit: { code: 0 } });

    const report = JSON.parse(readFileSync(join(outDir, 'latest.json'), 'utf8'));
    expect(report.ok).toBe(true);
    expect(report.machine.cpus).toBeGreaterThan(0);
    const [drain] = report.scenarios;
    expect(drain.id).toBe('drain');
    expect(drain.variants.map((v: { name: string }) => v.name)).toEqual([
      'agentq',
      'raw',
      'naive',
      'graphile-writes',
    ]);
    for (const variant of drain.variants) {
      expect(variant.runs).toHaveLength(1);
      const [run] = variant.runs;
      expect(run.error).toBeUndefined();
      expect(run.values.jobsPerSecond).toBeGreaterThan(0);
      expect(variant.summary.jobsPerSecond.median).toBe(run.values.jobsPerSecond);
      expect(run.values.loadAverage).toBeGreaterThanOrEqual(0);
      if (variant.name !== 'raw') expect(run.accounting).toEqual({ checked: true, ok: true });
    }
    expect(drain.ratios.map((r: { name: string }) => r.name)).toEqual([
      'agentq / raw BullMQ (jobs/s)',
      'agentq / naive (jobs/s)',
      'agentq / graphile-worker with the same writes (jobs/s)',
      'agentq / graphile-worker batched, same writes (jobs/s)',
      'agentq / graphile-worker no-op (jobs/s)',
      'agentq CPU ms per execution (worker + every PG process + Redis)',
    ]);
    expect(bench.output()).toContain('agentq / raw BullMQ (jobs/s)');
  });

  it('runs a small noisy-neighbour scenario: B idle and beside A, with the fair EVAL cost', async () => {
    const noisyOut = mkdtempSync(join(outDir, 'noisy-'));
    const bench = startProcess('dist/bench/run-benchmarks.js', {
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      BENCH_SCENARIOS: 'noisy',
      BENCH_NOISY_N: '200',
      BENCH_NOISY_FEW: '5',
      BENCH_NOISY_SECONDS: '1',
      BENCH_NOISY_LATENCY_MS: '50',
      BENCH_RUNS: '1',
      BENCH_CONCURRENCY: '10',
      BENCH_OUT_DIR: noisyOut,
      BENCH_NAME_PREFIX: `agentq_test_${testRunId()}_bench`,
    });
    const exit = await bench.exited;
    expect({ exit, output: bench.output().slice(-3_000) }).toMatchObject({ exit: { code: 0 } });

    const report = JSON.parse(readFileSync(join(noisyOut, 'latest.json'), 'utf8'));
    const [noisy] = report.scenarios;
    expect(noisy.id).toBe('noisy');
    expect(noisy.variants.map((v: { name: string }) => v.name)).toEqual(['idle', 'noisy']);
    for (const variant of noisy.variants) {
      const [run] = variant.runs;
      expect(run.error).toBeUndefined();
      expect(run.accounting).toEqual({ checked: true, ok: true });
      expect(run.values.bWaitP95Ms).toBeGreaterThan(0);
      expect(run.values.assignMsPerBatch).toBeGreaterThan(0);
    }
    expect(noisy.ratios.map((r: { name: string }) => r.name)).toEqual([
      "B's p95 wait: beside A's flood / idle",
    ]);
  });

  it('left no database or Redis key behind', async () => {
    const client = new Client({
      connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await client.connect();
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `agentq_test_${testRunId()}_bench%`,
    ]);
    await client.end();
    expect(rows).toEqual([]);

    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `agentq-test-${testRunId()}-bench*`);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
    expect(keys).toEqual([]);
  });
});
