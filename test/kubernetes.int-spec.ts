import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { environmentSchema, loadConfig } from '@agentq/config';
import { QUEUES } from '@agentq/jobs';
import { QUEUE_STATES } from '@agentq/metrics';
import { parseAllDocuments } from 'yaml';
import { HealthController } from '../apps/api/src/health/health.controller';
import { WORKER_HTTP_PATHS } from '../apps/worker/src/metrics/metrics-server.service';

// deploy/kubernetes is checked against the code it runs, since no cluster is at hand: every
// manifest parses, every variable it sets is one libs/config knows (and the values validate),
// commands start the same built entry points as the npm scripts, probes hit routes the code
// serves on the ports it listens on, and the dashboard queries only series the code exports.

const ROOT = join(__dirname, '..');
const KUBERNETES = join(ROOT, 'deploy', 'kubernetes');
const read = (file: string) => readFileSync(file, 'utf8');

type Manifest = Record<string, any>;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

const files = yamlFiles(KUBERNETES);
const documents = new Map<string, Manifest[]>(
  files.map((file) => {
    const parsed = parseAllDocuments(read(file));
    for (const document of parsed) {
      if (document.errors.length > 0) {
        throw new Error(`${relative(ROOT, file)}: ${document.errors[0].message}`);
      }
    }
    return [file, parsed.map((document) => document.toJS() as Manifest)];
  }),
);
const inDir = (dir: string) =>
  [...documents.entries()]
    .filter(([file]) => dirname(file) === join(KUBERNETES, dir))
    .flatMap(([, manifests]) => manifests);
const find = (dir: string, kind: string, name: string): Manifest => {
  const manifest = inDir(dir).find((m) => m.kind === kind && m.metadata?.name === name);
  if (!manifest) throw new Error(`${dir}: no ${kind} ${name}`);
  return manifest;
};

const configMap = find('base', 'ConfigMap', 'agentq-config');
const secretExample = find('base', 'Secret', 'agentq-secrets');
const api = find('base', 'Deployment', 'agentq-api');
const worker = find('base', 'Deployment', 'agentq-worker');
const migrate = find('base', 'Job', 'agentq-migrate');
const podSpec = (workload: Manifest) => workload.spec.template.spec;
const container = (workload: Manifest) => podSpec(workload).containers[0];
const config: Record<string, string> = configMap.data;

const schemaKeys = new Set(Object.keys(environmentSchema.shape));
const scripts = (
  JSON.parse(read(join(ROOT, 'package.json'))) as { scripts: Record<string, string> }
).scripts;

// Every variable a container gets: env entries, and the keys of the maps and secrets it loads.
function variablesOf(c: Manifest): string[] {
  const names: string[] = (c.env ?? []).map((entry: { name: string }) => entry.name);
  for (const source of c.envFrom ?? []) {
    if (source.configMapRef) {
      expect(source.configMapRef.name).toBe(configMap.metadata.name);
      names.push(...Object.keys(config));
    }
    if (source.secretRef) {
      expect(source.secretRef.name).toBe(secretExample.metadata.name);
      names.push(...Object.keys(secretExample.stringData));
    }
  }
  return names;
}

// The port number a probe or Service names, resolved through the container's named ports.
function portNumber(c: Manifest, port: string | number): number {
  if (typeof port === 'number') return port;
  const named = (c.ports ?? []).find((p: { name: string }) => p.name === port);
  if (!named) throw new Error(`container ${c.name} has no port named ${port}`);
  return named.containerPort;
}

const routeOf = (method: keyof HealthController) =>
  `/${Reflect.getMetadata('path', HealthController)}/${Reflect.getMetadata('path', HealthController.prototype[method])}`;

describe('deploy/kubernetes manifests', () => {
  it('parse, and each is a named Kubernetes object', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const [file, manifests] of documents) {
      for (const manifest of manifests) {
        expect({ file: relative(ROOT, file), apiVersion: manifest.apiVersion }).toEqual({
          file: relative(ROOT, file),
          apiVersion: expect.stringMatching(/\S/),
        });
        expect(manifest.kind).toEqual(expect.stringMatching(/^[A-Z]/));
        if (!/^kustomize\.config\.k8s\.io\//.test(manifest.apiVersion)) {
          expect(manifest.metadata?.name).toEqual(expect.stringMatching(/^[a-z0-9-]+$/));
        }
      }
    }
  });

  it('kustomizations list files that exist, and never the example secret', () => {
    for (const [file, manifests] of documents) {
      const kustomization = manifests.find((m) =>
        /^kustomize\.config\.k8s\.io\//.test(m.apiVersion),
      );
      if (!kustomization) continue;
      for (const entry of [
        ...(kustomization.resources ?? []),
        ...(kustomization.components ?? []),
      ]) {
        expect({
          in: relative(ROOT, file),
          entry,
          exists: existsSync(join(dirname(file), entry)),
        }).toEqual({ in: relative(ROOT, file), entry, exists: true });
        expect(entry).not.toMatch(/secret\.example/);
      }
    }
  });

  it('sets only variables the configuration schema knows', () => {
    const unknown = (keys: string[]) => keys.filter((key) => !schemaKeys.has(key));
    expect(unknown(Object.keys(config))).toEqual([]);
    expect(unknown(Object.keys(secretExample.stringData))).toEqual([]);
    for (const workload of [api, worker, migrate]) {
      expect(unknown(variablesOf(container(workload)))).toEqual([]);
    }
  });

  it('gives the API and the worker a configuration that validates at boot', () => {
    const valid: Record<string, string> = {
      DATABASE_URL: 'postgres://agentq:secret@postgres:5432/agentq',
      REDIS_URL: 'redis://redis:6379',
      AGENTQ_ADMIN_TOKEN: 'a'.repeat(48),
      AGENTQ_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
      AGENTQ_PREVIOUS_MASTER_KEYS: '',
    };
    expect(Object.keys(secretExample.stringData).sort()).toEqual(Object.keys(valid).sort());
    for (const workload of [api, worker]) {
      expect(variablesOf(container(workload))).toEqual(expect.arrayContaining(Object.keys(valid)));
    }
    const loaded = loadConfig({ ...config, ...valid });
    expect(loaded.nodeEnv).toBe('production');
    expect(loaded.log.format).toBe('json');
    // The migration job needs the database alone, from the same secret.
    expect(container(migrate).env).toEqual([
      {
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: 'agentq-secrets', key: 'DATABASE_URL' } },
      },
    ]);
  });

  it.each([
    ['start:api', () => api],
    ['start:worker', () => worker],
    ['migrate', () => migrate],
  ])('runs the entry point of `npm run %s`, with no npm in between', (script, workload) => {
    const command: string[] = container(workload()).command;
    expect(command[0]).toBe('node');
    expect(scripts[script]).toBe(`node ${command.slice(1).join(' ')}`);
    expect(existsSync(join(ROOT, command[1].replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(
      true,
    );
  });

  it('probes the API on the routes HealthController serves, on PORT', () => {
    const c = container(api);
    expect(routeOf('live')).toBe('/health/live');
    expect(c.startupProbe.httpGet.path).toBe(routeOf('live'));
    expect(c.livenessProbe.httpGet.path).toBe(routeOf('live'));
    expect(c.readinessProbe.httpGet.path).toBe(routeOf('ready'));
    const port = Number(config.PORT ?? 3000);
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      expect(portNumber(c, probe.httpGet.port)).toBe(port);
    }
    expect(Number(podSpec(api).containers[0].ports[0].containerPort)).toBe(port);
    expect(Number(api.spec.template.metadata.annotations['prometheus.io/port'])).toBe(port);
    const service = find('base', 'Service', 'agentq-api');
    expect(service.spec.selector).toEqual(api.spec.selector.matchLabels);
    expect(portNumber(c, service.spec.ports[0].targetPort)).toBe(port);
  });

  it("probes the worker's liveness route and scrapes its metrics, on METRICS_PORT", () => {
    const c = container(worker);
    const port = Number(config.METRICS_PORT);
    expect(port).toBeGreaterThan(0);
    expect(c.livenessProbe.httpGet.path).toBe(WORKER_HTTP_PATHS.live);
    expect(portNumber(c, c.livenessProbe.httpGet.port)).toBe(port);
    const annotations = worker.spec.template.metadata.annotations;
    expect(Number(annotations['prometheus.io/port'])).toBe(port);
    expect(annotations['prometheus.io/path']).toBe(WORKER_HTTP_PATHS.metrics);
  });

  it('lets a stopping process finish its work before it is killed', () => {
    const workerGraceMs = Number(config.WORKER_SHUTDOWN_GRACE_MS);
    expect(podSpec(worker).terminationGracePeriodSeconds * 1000).toBeGreaterThan(workerGraceMs);
    const preStopSeconds = Number(container(api).lifecycle.preStop.exec.command[1]);
    expect(podSpec(api).terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      preStopSeconds * 1000 + Number(config.API_SHUTDOWN_GRACE_MS),
    );
  });

  it('requests CPU and memory for every container, and limits memory', () => {
    for (const workload of [api, worker, migrate]) {
      const { resources } = container(workload);
      expect(resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(resources.limits.memory).toEqual(expect.any(String));
    }
  });

  it('has a disruption budget selecting the pods of each Deployment', () => {
    for (const workload of [api, worker]) {
      const budget = find('base', 'PodDisruptionBudget', workload.metadata.name);
      expect(budget.spec.selector.matchLabels).toEqual(workload.spec.selector.matchLabels);
      expect(workload.spec.template.metadata.labels).toMatchObject(
        budget.spec.selector.matchLabels,
      );
    }
  });

  it('scales workers on the depth of the executions queue (KEDA), never to zero', () => {
    const scaled = find('autoscaling', 'ScaledObject', 'agentq-worker');
    expect(scaled.spec.scaleTargetRef.name).toBe(worker.metadata.name);
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe('prometheus');
    const query: string = trigger.metadata.query;
    expect(query).toContain('agentq_queue_jobs');
    expect(query).toContain(`queue="${QUEUES.executions}"`);
    const states = /state=~"([^"]+)"/.exec(query)?.[1].split('|') ?? [];
    expect(states.length).toBeGreaterThan(0);
    for (const state of states) expect(QUEUE_STATES).toContain(state);
    // Each worker is asked to hold at least as many jobs as it runs at once.
    expect(Number(trigger.metadata.threshold)).toBeGreaterThanOrEqual(
      Number(config.WORKER_CONCURRENCY),
    );
    const hpa = find('autoscaling', 'HorizontalPodAutoscaler', 'agentq-api');
    expect(hpa.spec.scaleTargetRef.name).toBe(api.metadata.name);
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
  (kubectl ? it.each : it.skip.each)(['base', 'example'])(
    'kubectl kustomize builds %s (skipped where kubectl is missing)',
    (dir) => {
      const built = spawnSync('kubectl', ['kustomize', join(KUBERNETES, dir)], {
        encoding: 'utf8',
      });
      expect(built.stderr).toBe('');
      expect(built.status).toBe(0);
      const kinds = parseAllDocuments(built.stdout).map((document) => document.toJS().kind);
      expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'Job', 'PodDisruptionBudget']));
      if (dir === 'example') {
        // The autoscalers own the replica counts.
        expect(built.stdout).not.toMatch(/^\s+replicas:/m);
        expect(kinds).toEqual(expect.arrayContaining(['ScaledObject', 'PodMonitor']));
      }
    },
  );
});

describe('deploy/grafana dashboard', () => {
  const dashboard = JSON.parse(read(join(ROOT, 'deploy', 'grafana', 'agentq-dashboard.json')));
  const expressions: string[] = dashboard.panels.flatMap((panel: Manifest) =>
    (panel.targets ?? []).map((target: { expr: string }) => target.expr),
  );

  // agentq series the code registers (name → type and labels), read from the sources.
  const registered = new Map<string, { type: string; labels: string[] }>();
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return sources(path);
      return /\.ts$/.test(entry) && !/spec\.ts$/.test(entry) ? [path] : [];
    });
  for (const file of [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))]) {
    const text = read(file);
    for (const match of text.matchAll(/new (Counter|Gauge|Histogram)\(\{([\s\S]*?)\}\)/g)) {
      const name = /name: '(agentq_\w+)'/.exec(match[2])?.[1];
      if (!name) continue;
      const labelList = /labelNames: \[([^\]]*)\]/.exec(match[2])?.[1] ?? '';
      const labels = [...labelList.matchAll(/'(\w+)'/g)].map((label) => label[1]);
      registered.set(name, { type: match[1], labels });
    }
  }

  it('covers throughput, latency, queue depth, tokens and cost per model, group commits', () => {
    const titles = dashboard.panels.map((panel: Manifest) => panel.title).join('\n');
    for (const subject of [
      /ended per second/,
      /latency/i,
      /Queue depth/,
      /Tokens/,
      /Cost/,
      /group commit/i,
    ]) {
      expect(titles).toMatch(subject);
    }
    const all = expressions.join('\n');
    for (const name of [
      'agentq_jobs_completed_total',
      'agentq_execution_duration_seconds_bucket',
      'agentq_queue_jobs',
      'agentq_tokens_total',
      'agentq_cost_usd_total',
      'agentq_group_commit_batch_size_bucket',
    ]) {
      expect(all).toContain(name);
    }
  });

  it('queries only series the code exports, with their labels', () => {
    expect(registered.size).toBeGreaterThanOrEqual(10);
    const scrapeLabels = ['le', 'app', 'pod', 'namespace', 'job', 'instance'];
    for (const expr of expressions) {
      for (const [, series] of expr.matchAll(/\b(agentq_\w+)/g)) {
        const base = series.replace(/_(bucket|sum|count)$/, '');
        const known = registered.get(series) ?? registered.get(base);
        expect({ expr, series, known: Boolean(known) }).toEqual({ expr, series, known: true });
        if (series !== base && !registered.has(series)) expect(known?.type).toBe('Histogram');
        const used = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((by) =>
          by[1].split(',').map((label) => label.trim()),
        );
        const selectors = [...expr.matchAll(new RegExp(`${series}\\{([^}]*)\\}`, 'g'))].flatMap(
          (selector) => [...selector[1].matchAll(/(\w+)\s*=~?/g)].map((label) => label[1]),
        );
        for (const label of selectors) {
          expect({
            series,
            label,
            known: [...known!.labels, ...scrapeLabels].includes(label),
          }).toEqual({ series, label, known: true });
        }
        // Labels grouped on must exist on some series of the expression.
        for (const label of used) {
          const everywhere = [...registered.values()].flatMap((entry) => entry.labels);
          expect([...everywhere, ...scrapeLabels, 'state', 'queue']).toContain(label);
        }
      }
      for (const [, queue] of expr.matchAll(/queue="([^"]+)"/g)) {
        expect(Object.values(QUEUES)).toContain(queue);
      }
    }
  });
});
