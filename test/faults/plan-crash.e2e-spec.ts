import { appendFileSync } from 'node:fs';
import { findAccountingDrift } from '@agentq/testing';
import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { messageFor, waitUntil } from './support/fault-stack';
import { FULL_SCALE } from './support/ledger';

// A small deterministic PRNG, so a failing DAG can be run again.
function prng(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

// A random DAG: each task depends on up to three earlier ones (fan-in), some use an output.
function randomTasks(plan: number, count: number, agentId: string, random: () => number) {
  return Array.from({ length: count }, (_, n) => {
    const dependsOn = new Set<string>();
    if (n > 0) {
      const fanIn = Math.floor(random() * 4);
      for (let i = 0; i < fanIn; i += 1) dependsOn.add(`t${Math.floor(random() * n)}`);
    }
    const deps = [...dependsOn];
    const uses = deps.length > 0 ? ` after {{tasks.${deps[0]}.output.text}}` : '';
    return {
      key: `t${n}`,
      agentId,
      dependsOn: deps,
      input: { message: `${messageFor(`plan${plan}-t${n}`)}${uses}` },
    };
  });
}

const TASK_COUNTS_SQL = `
SELECT count(*)::int AS tasks,
       count(*) FILTER (WHERE t.status = 'succeeded')::int AS succeeded,
       count(e.id)::int AS with_execution
  FROM plan_tasks t LEFT JOIN agent_executions e ON e.id = t.execution_id
 WHERE t.plan_id = ANY($1::uuid[])`;

// Executions created for plan tasks (idempotency key plan:<plan>:<key>), counted per task.
const EXECUTIONS_PER_TASK_SQL = `
SELECT idempotency_key, count(*)::int AS n FROM agent_executions
 WHERE idempotency_key LIKE 'plan:%' GROUP BY idempotency_key`;

const TRANSITIONS_PER_EXECUTION_SQL = `
SELECT execution_id, count(*)::int AS n FROM fault_terminal_transitions GROUP BY execution_id`;

// Only plan tasks run in this database: their executions' tokens must equal the lifetime rollups.
const PLAN_USAGE_DRIFT_SQL = `
SELECT (SELECT COALESCE(sum(e.prompt_tokens + e.completion_tokens), 0)
          FROM plan_tasks t JOIN agent_executions e ON e.id = t.execution_id)
     - (SELECT COALESCE(sum(total_tokens), 0) FROM agent_usage_stats) AS n`;

describe('fault: kill -9 workers while plans run', () => {
  let fixture: FaultFixture;

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: 100 });
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
  }, 60_000);

  it('every task runs once, every plan completes, rollups exact', async () => {
    const { stack, dataSource } = fixture;
    const plans = FULL_SCALE ? 20 : 6;
    const tasksPerPlan = FULL_SCALE ? 50 : 30;
    const kills = FULL_SCALE ? 4 : 2;
    for (let i = 0; i < 3; i += 1) await stack.startWorker({ WORKER_CONCURRENCY: '20' });
    const [{ id: agentId }] = await dataSource.query(`SELECT id FROM agents LIMIT 1`);

    const random = prng(12);
    const planIds: string[] = [];
    for (let p = 0; p < plans; p += 1) {
      const answer = await stack.http.post(
        '/v1/plans',
        { title: `faults ${p}`, tasks: randomTasks(p, tasksPerPlan, agentId, random) },
        stack.apiKey,
      );
      if (answer.status !== 202) throw new Error(`plan: ${JSON.stringify(answer.body)}`);
      planIds.push(answer.body.id);
    }
    const total = plans * tasksPerPlan;
    const succeededTasks = async () =>
      (await dataSource.query(TASK_COUNTS_SQL, [planIds]))[0].succeeded as number;

    for (let kill = 0; kill < kills; kill += 1) {
      const target = Math.floor((total * (kill + 1)) / (kills + 2));
      await waitUntil(async () => (await succeededTasks()) >= target, 'plans to progress', 120_000);
      const live = stack.liveWorkers();
      const victim = live[kill % live.length];
      victim.signal('SIGKILL');
      await victim.exited;
      await stack.startWorker({ WORKER_CONCURRENCY: '20' });
    }
    await waitUntil(
      async () => {
        const [{ n }] = await dataSource.query(
          `SELECT count(*)::int AS n FROM plans WHERE id = ANY($1::uuid[]) AND status <> 'running'`,
          [planIds],
        );
        return n === plans;
      },
      'every plan to end',
      240_000,
    );

    const statuses: { status: string; n: number }[] = await dataSource.query(
      `SELECT status, count(*)::int AS n FROM plans WHERE id = ANY($1::uuid[]) GROUP BY status`,
      [planIds],
    );
    const [counts] = await dataSource.query(TASK_COUNTS_SQL, [planIds]);
    const perTask: { n: number }[] = await dataSource.query(EXECUTIONS_PER_TASK_SQL);
    const transitions: { n: number }[] = await dataSource.query(TRANSITIONS_PER_EXECUTION_SQL);
    const drift = await findAccountingDrift(dataSource);
    const [usageDrift] = await dataSource.query(PLAN_USAGE_DRIFT_SQL);
    const figures = {
      plans,
      tasks: counts.tasks,
      executedOnce: perTask.filter((row) => row.n === 1).length,
      duplicated:
        perTask.filter((row) => row.n > 1).length + transitions.filter((row) => row.n > 1).length,
      lost: counts.tasks - counts.succeeded,
      drift:
        drift.daily.length +
        drift.lifetime.length +
        drift.attribution.length +
        Math.abs(Number(usageDrift.n)),
    };
    const line = `[faults:${FULL_SCALE ? 'full' : 'small'}] plans under kill -9 x${kills}: ${Object.entries(
      figures,
    )
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')}`;
    process.stdout.write(`${line}\n`);
    if (process.env.FAULTS_REPORT) appendFileSync(process.env.FAULTS_REPORT, `${line}\n`);

    expect(statuses).toEqual([{ status: 'succeeded', n: plans }]);
    expect(figures).toEqual({
      plans,
      tasks: total,
      executedOnce: total,
      duplicated: 0,
      lost: 0,
      drift: 0,
    });
  }, 600_000);
});
