import { BenchEnvironment, sleep } from '../bench-environment';
import { ratio, RunRecord, ScenarioDefinition } from '../scenario';
import { drainAgentq } from './drain-runs';

const LAYER_WIDTH = 100;

/**
 * Layers of fan-out and fan-in: every task of a layer depends on two tasks of the layer before
 * (the same one for neighbours), and uses one of their outputs.
 */
export function layeredPlanTasks(count: number, agentId: string) {
  return Array.from({ length: count }, (_, n) => {
    const layer = Math.floor(n / LAYER_WIDTH);
    const previous = (layer - 1) * LAYER_WIDTH;
    const width = Math.min(LAYER_WIDTH, count - previous);
    const dependsOn =
      layer === 0
        ? []
        : [...new Set([previous + (n % width), previous + ((n + 1) % width)])].map((d) => `t${d}`);
    const uses = dependsOn.length > 0 ? ` (after {{tasks.${dependsOn[0]}.output.text}})` : '';
    return {
      key: `t${n}`,
      agentId,
      dependsOn,
      input: { message: `Step ${n}: summarise the ticket${uses}` },
    };
  });
}

// One plan of `count` tasks through the API, timed from the POST to the plan's completion.
async function runPlan(
  environment: BenchEnvironment,
  label: string,
  count: number,
  concurrency: number,
): Promise<Omit<RunRecord, 'run'>> {
  const run = await environment.newRun(label);
  try {
    const agent = await run.seedAgent(0);
    const workers = await run.startWorkers(1, { concurrency });
    const api = await run.startApi();
    const startedAt = Date.now();
    const answer = await fetch(`${api.url}/v1/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agent.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'bench', tasks: layeredPlanTasks(count, agent.agentId) }),
    });
    if (answer.status !== 202) throw new Error(`plan: ${answer.status} ${await answer.text()}`);
    const { id } = (await answer.json()) as { id: string };
    const deadline = Date.now() + 30_000 + count * 100;
    for (;;) {
      const [plan] = await run.dataSource.query(
        `SELECT status, (extract(epoch FROM completed_at) * 1000)::float8 AS completed
           FROM plans WHERE id = $1`,
        [id],
      );
      if (plan.status !== 'running') {
        const seconds = (plan.completed - startedAt) / 1_000;
        const [{ n }] = await run.dataSource.query(
          `SELECT count(*)::int AS n FROM plan_tasks WHERE plan_id = $1 AND status = 'succeeded'`,
          [id],
        );
        return {
          values: { tasksPerSecond: count / seconds, seconds },
          details: { status: plan.status, succeeded: n },
          accounting: await run.accounting(),
          error: plan.status === 'succeeded' ? undefined : `the plan ended ${plan.status}`,
        };
      }
      const dead = [api.process, ...workers.map((w) => w.process)].find((p) => !p.running);
      if (dead) throw new Error(`${dead.name} exited during the run\n${dead.output()}`);
      if (Date.now() > deadline) throw new Error('the plan did not end in time');
      await sleep(100);
    }
  } finally {
    await run.close();
  }
}

/** A plan of layered fan-out/fan-in tasks vs the same number of plain executions drained. */
export function planScenario(environment: BenchEnvironment): ScenarioDefinition {
  const { planTasks, concurrency } = environment.config;
  return {
    id: 'plan',
    title: `Plan of ${planTasks} tasks (layers of ${LAYER_WIDTH}, fan-in 2) vs ${planTasks} plain executions, echo 0 ms, 1 worker, concurrency ${concurrency}`,
    metrics: [
      { key: 'tasksPerSecond', label: 'tasks/s' },
      { key: 'seconds', label: 's', digits: 2 },
    ],
    variants: [
      {
        name: 'plan',
        label: 'one plan through POST /v1/plans',
        measure: (run) => runPlan(environment, `plan-${run}`, planTasks, concurrency),
      },
      {
        name: 'plain',
        label: 'plain executions (drain)',
        async measure(run) {
          const result = await drainAgentq(environment, {
            label: `plan-plain-${run}`,
            n: planTasks,
            workers: 1,
            concurrency,
            echoLatencyMs: 0,
          });
          return {
            ...result,
            values: { tasksPerSecond: result.values.jobsPerSecond, seconds: result.values.seconds },
          };
        },
      },
    ],
    ratios: (median) => [
      ratio(
        'plan / plain (tasks/s)',
        median('plan', 'tasksPerSecond') / median('plain', 'tasksPerSecond'),
      ),
      ratio(
        'overhead per plan task (ms)',
        1_000 / median('plan', 'tasksPerSecond') - 1_000 / median('plain', 'tasksPerSecond'),
      ),
    ],
  };
}
