import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentSchema } from '@agentq/config';
import { parse } from 'yaml';

// The deployment files are checked against the code they start: every command maps to a
// package.json script that runs built code from a source file that exists, and every variable
// the configuration requires reaches the processes that validate it at boot.

const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: unknown[];
  container_name?: string;
  restart?: string;
  healthcheck?: { test?: string | string[] };
  stop_grace_period?: string;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

const shape = environmentSchema.shape as Record<
  string,
  { safeParse(value: unknown): { success: boolean } }
>;
// REDIS_URL is optional in the schema only because REDIS_CLUSTER_NODES or REDIS_SENTINELS may
// replace it; compose runs one Redis, so it is required here.
const requiredVariables = [
  ...Object.keys(shape).filter((key) => !shape[key].safeParse(undefined).success),
  'REDIS_URL',
];

const commandOf = (service: ComposeService): string[] =>
  typeof service.command === 'string' ? service.command.split(/\s+/) : (service.command ?? []);

const environmentOf = (service: ComposeService): Record<string, string> => {
  const environment = service.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const [key, ...value] = entry.split('=');
        return [key, value.join('=')];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, String(value ?? '')]),
  );
};

// `npm run x` / `npm start` / `npm test` → the script name.
function npmScript(command: string[]): string | undefined {
  if (command[0] !== 'npm') return undefined;
  if (command[1] === 'run' || command[1] === 'run-script') return command[2];
  return command[1];
}

// Seconds in a compose duration such as `40s`, `1m30s` or `1m`.
function durationSeconds(duration: string): number {
  let seconds = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)) {
    const factor = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001 }[unit] ?? 0;
    seconds += Number(amount) * factor;
  }
  return seconds;
}

// Dockerfile stages: the instructions after each FROM, line continuations joined.
function dockerfileStages(text: string): string[][] {
  const instructions = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: string[][] = [];
  for (const instruction of instructions) {
    if (/^FROM\s/i.test(instruction)) stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

describe('docker-compose.yml', () => {
  it('has the services of the stack', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'migrate', 'api', 'worker']),
    );
  });

  it('derives the required variables from the configuration schema', () => {
    expect(requiredVariables).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'REDIS_URL',
        'AGENTQ_ADMIN_TOKEN',
        'AGENTQ_MASTER_KEY',
      ]),
    );
  });

  it.each(['migrate', 'api', 'worker'])(
    '%s runs an npm script that starts built code from an existing source file',
    (name) => {
      const script = npmScript(commandOf(services[name]));
      expect(script).toBeDefined();
      const body = scripts[script as string];
      expect(body).toBeDefined();
      const entries = [...body.matchAll(/\bnode\s+(dist\/\S+\.js)/g)].map((match) => match[1]);
      expect(entries).toHaveLength(1);
      const source = entries[0].replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect(existsSync(join(ROOT, source))).toBe(true);
      // The image holds the build only: a script that compiles would fail in the container.
      expect(body).not.toMatch(/\b(tsc|npm run build|ts-node|nest start)\b/);
    },
  );

  it.each(['api', 'worker'])('gives %s every variable the configuration requires', (name) => {
    const environment = environmentOf(services[name]);
    for (const variable of requiredVariables) {
      expect({ variable, value: environment[variable] }).toEqual({
        variable,
        value: expect.stringMatching(/\S/),
      });
    }
    expect(environment.NODE_ENV).toBe('production');
    expect(environment.LOG_FORMAT).toBe('json');
    expect(environment.QUEUE_PREFIX).toBeDefined();
    expect(environment.WORKER_CONCURRENCY).toBeDefined();
  });

  it('gives migrate the database', () => {
    expect(environmentOf(services.migrate).DATABASE_URL).toMatch(
      /^postgres(ql)?:\/\/.+@postgres:5432\//,
    );
  });

  it('refuses to start without the secrets instead of inventing them', () => {
    const environment = environmentOf(services.api);
    expect(environment.AGENTQ_ADMIN_TOKEN).toMatch(/^\$\{AGENTQ_ADMIN_TOKEN:\?/);
    expect(environment.AGENTQ_MASTER_KEY).toMatch(/^\$\{AGENTQ_MASTER_KEY:\?/);
  });

  it('points the processes at the postgres and redis services', () => {
    for (const name of ['api', 'worker']) {
      const environment = environmentOf(services[name]);
      expect(new URL(environment.DATABASE_URL.replace(/\$\{[^}]*\}/g, 'x')).host).toBe(
        'postgres:5432',
      );
      expect(environment.REDIS_URL).toBe('redis://redis:6379');
    }
  });

  it('lets the worker scale: no container name, no host port', () => {
    expect(services.worker.container_name).toBeUndefined();
    expect(services.worker.ports).toBeUndefined();
  });

  it.each([
    ['worker', 'WORKER_SHUTDOWN_GRACE_MS'],
    ['api', 'API_SHUTDOWN_GRACE_MS'],
  ])('gives %s longer than its default %s to stop before it is killed', (name, variable) => {
    const graceMs = Number(
      (shape[variable] as unknown as { parse(value: unknown): number }).parse(undefined),
    );
    const stopGraceSeconds = durationSeconds(services[name].stop_grace_period ?? '10s');
    expect(stopGraceSeconds * 1000).toBeGreaterThan(graceMs);
  });

  it('runs Redis the way BullMQ needs it: noeviction, append-only file', () => {
    const command = commandOf(services.redis).join(' ');
    expect(command).toMatch(/--maxmemory-policy\s+noeviction/);
    expect(command).toMatch(/--appendonly\s+yes/);
    expect(services.redis.image).toMatch(/^redis:7/);
  });

  it('health-checks postgres, redis and the API', () => {
    expect(services.postgres.image).toMatch(/^postgres:16/);
    expect(String(services.postgres.healthcheck?.test)).toMatch(/pg_isready/);
    expect(String(services.redis.healthcheck?.test)).toMatch(/redis-cli.*ping/);
    expect(String(services.api.healthcheck?.test)).toMatch(/\/health\/ready/);
  });

  it('runs migrate once, before the API and the worker', () => {
    expect(services.migrate.restart).toBe('no');
    expect(services.migrate.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
    });
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    }
  });

  it('publishes the API port', () => {
    expect(services.api.ports).toEqual([expect.stringMatching(/:3000$/)]);
    expect(environmentOf(services.api).PORT ?? '3000').toBe('3000');
  });
});

describe('Dockerfile', () => {
  const stages = dockerfileStages(read('Dockerfile'));
  const all = stages.flat().join('\n');
  const final = stages.at(-1) ?? [];

  it('is a multi-stage build that installs from the lockfile and compiles', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(all).toMatch(/^RUN .*\bnpm ci\b/m);
    expect(all).toMatch(/^RUN .*\bnpm run build\b/m);
  });

  it('runs production dependencies and the build as a user other than root', () => {
    const users = final.filter((line) => /^USER\s/i.test(line));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER\s+(root|0)(:|\s|$)/i);
    const finalText = final.join('\n');
    expect(finalText).toMatch(/COPY --from=\S+ \S*dist/);
    expect(all).toMatch(/npm ci [^\n]*--omit=dev/);
  });

  it('lets `docker stop` reach node through npm (bash execs the script; dash does not)', () => {
    expect(final.join('\n')).toMatch(/npm_config_script_shell=\/bin\/bash/);
  });

  it('bakes no secrets or local data into the image', () => {
    expect(all).not.toMatch(/AGENTQ_ADMIN_TOKEN|AGENTQ_MASTER_KEY|DATABASE_URL|REDIS_URL/);
    expect(all).not.toMatch(/COPY\s+(\.\s|\.env|\.data)/);
    const ignored = read('.dockerignore')
      .split(/\r?\n/)
      .map((line) => line.trim());
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', 'dist', '.data', '.env', '.git']),
    );
  });
});

describe('.env.example', () => {
  const documented = new Set(
    [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]),
  );

  it('documents every variable of the configuration schema', () => {
    const missing = Object.keys(environmentSchema.shape).filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
  });

  it('documents every variable docker-compose.yml interpolates', () => {
    const interpolated = [...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map(
      (match) => match[1],
    );
    const missing = [...new Set(interpolated)].filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
  });
});
