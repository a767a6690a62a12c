// `npm run bench`: every scenario, several runs each, side by side with its baselines, against
// the PostgreSQL and Redis in DATABASE_URL / REDIS_URL (its own databases and key prefix,
// removed at the end). Writes bench-results/<timestamp>.json and latest.json, prints a table.
// See docs/benchmarks.md.
import { BenchConfig, loadBenchConfig, ScenarioName } from './bench-config';
import { BenchEnvironment } from './bench-environment';
import { BenchReport, describeMachine, formatReport, writeReport } from './report';
import { runScenario, ScenarioDefinition, ScenarioResult } from './scenario';
import { drainScenario } from './scenarios/drain.scenario';
import { httpScenario } from './scenarios/http.scenario';
import { ioBoundScenario } from './scenarios/io-bound.scenario';
import { planScenario } from './scenarios/plan.scenario';
import { liveScenario } from './scenarios/live.scenario';
import { noisyNeighbourScenario } from './scenarios/noisy-neighbour.scenario';
import { scalingScenario } from './scenarios/scaling.scenario';
import { slowCallsScenario } from './scenarios/slow-calls.scenario';

function scenariosFor(name: ScenarioName, environment: BenchEnvironment): ScenarioDefinition[] {
  switch (name) {
    case 'drain':
      return [drainScenario(environment)];
    case 'live':
      return environment.config.liveRates.map((rate) => liveScenario(environment, rate));
    case 'http':
      return [httpScenario(environment)];
    case 'io':
      return [ioBoundScenario(environment)];
    case 'scaling':
      return [scalingScenario(environment)];
    case 'plan':
      return [planScenario(environment)];
    case 'noisy':
      return [noisyNeighbourScenario(environment)];
    case 'slow':
      return [slowCallsScenario(environment)];
  }
}

async function main() {
  const config: BenchConfig = loadBenchConfig();
  const startedAt = new Date();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const machine = await describeMachine(config);
  const environment = new BenchEnvironment(config);
  const stop = () => {
    log('\ninterrupted: removing the bench databases and keys');
    void environment.dispose().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const results: ScenarioResult[] = [];
  try {
    await environment.prepare();
    for (const name of config.scenarios) {
      for (const scenario of scenariosFor(name, environment)) {
        if (config.variants.length > 0) {
          scenario.variants = scenario.variants.filter((v) => config.variants.includes(v.name));
          if (scenario.variants.length === 0) continue;
        }
        log(`${scenario.title}`);
        results.push(await runScenario(scenario, config.runs, log));
      }
    }
  } finally {
    await environment.dispose();
  }

  const { adminDatabaseUrl: _db, redisUrl: _redis, ...publicConfig } = config;
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    config: publicConfig,
    scenarios: results,
    ok: results.every((result) => result.ok),
  };
  const file = writeReport(report, config.outDir);
  log('');
  log(formatReport(report));
  log(`\nresults: ${file}`);
  process.exit(report.ok ? 0 : 1);
}

main().catch((error: Error) => {
  console.error(`bench: ${error.stack ?? error.message}`);
  process.exit(1);
});
