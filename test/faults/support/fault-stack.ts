import { TEST_ADMIN_TOKEN, TEST_MASTER_KEY } from '@agentq/testing';
import { HttpClient } from '../../support/http-client';
import { ChildHandle, sleep, startNodeProcess } from './processes';

/** Where a stack keeps its data: a database, a Redis and a key prefix of its own. */
export interface StackServices {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
}

/**
 * Timings shrunk so that a crash is noticed in seconds, not minutes: a dead worker's jobs are
 * taken over after ~lock + stalled interval, the reconciler looks every second.
 */
export const FAST_RECOVERY_ENV: NodeJS.ProcessEnv = {
  WORKER_LOCK_DURATION_MS: '3000',
  WORKER_STALLED_INTERVAL_MS: '1000',
  RECONCILER_INTERVAL_MS: '1000',
  RECONCILER_QUEUED_GRACE_MS: '3000',
  RECONCILER_RUNNING_MARGIN_MS: '2000',
  EXECUTION_DEFAULT_TIMEOUT_MS: '10000',
};

export interface Submitted {
  id: string;
  marker: string;
}

export interface SubmitOptions {
  /** Tag of this batch; markers are `<tag>-<n>`. */
  tag: string;
  /** Another agent of the fault tenant than the one setUpAgent made (one with tools, say). */
  agentId?: string;
  maxAttempts?: number;
  timeoutMs?: number;
  delayMs?: number;
  /** End users (`user`) the executions are attributed to, in turn. */
  users?: string[];
}

/** The API and worker processes (built code, env-configured), as an operator runs them. */
export class FaultStack {
  api!: ChildHandle;
  http!: HttpClient;
  readonly workers: ChildHandle[] = [];
  private workerCount = 0;
  /** The fault tenant's API key (after setUpAgent). */
  apiKey = '';
  private agentId = '';

  constructor(
    readonly services: StackServices,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {}

  baseEnv(): NodeJS.ProcessEnv {
    return {
      NODE_ENV: 'test',
      DATABASE_URL: this.services.databaseUrl,
      REDIS_URL: this.services.redisUrl,
      QUEUE_PREFIX: this.services.prefix,
      AGENTQ_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      AGENTQ_MASTER_KEY: TEST_MASTER_KEY,
      DATABASE_POOL_SIZE: '10',
      METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'log',
      ...FAST_RECOVERY_ENV,
      ...this.env,
    };
  }

  async startApi(env: NodeJS.ProcessEnv = {}): Promise<void> {
    this.api = startNodeProcess('api', 'apps/api/src/main.js', {
      ...this.baseEnv(),
      PORT: '0',
      ...env,
    });
    const [, url] = await this.api.waitForOutput(/listening on (http:\/\/[^\s"]+)/, 60_000);
    this.http = new HttpClient(url.replace('[::1]', '127.0.0.1'));
  }

  async startWorker(env: NodeJS.ProcessEnv = {}): Promise<ChildHandle> {
    this.workerCount += 1;
    const worker = startNodeProcess(`worker-${this.workerCount}`, 'apps/worker/src/main.js', {
      ...this.baseEnv(),
      ...env,
    });
    this.workers.push(worker);
    await worker.waitForOutput(/running with concurrency/, 60_000);
    return worker;
  }

  liveWorkers(): ChildHandle[] {
    return this.workers.filter((worker) => worker.running);
  }

  /** A tenant with an OpenAI-protocol provider pointing at the fake provider server. */
  async setUpAgent(fakeProviderUrl: string): Promise<void> {
    const tenant = await this.http.post('/v1/admin/tenants', { name: 'faults' }, TEST_ADMIN_TOKEN);
    if (tenant.status !== 201) throw new Error(`tenant: ${JSON.stringify(tenant.body)}`);
    this.apiKey = tenant.body.apiKey.key;
    const provider = await this.http.post(
      '/v1/providers',
      {
        name: 'fake-openai',
        type: 'openai',
        apiKey: 'sk-fault-suite-0001',
        baseUrl: `${fakeProviderUrl}/v1`,
        isDefault: true,
      },
      this.apiKey,
    );
    if (provider.status !== 201) throw new Error(`provider: ${JSON.stringify(provider.body)}`);
    const agent = await this.http.post(
      '/v1/agents',
      {
        name: 'fault-agent',
        role: 'Fault suite agent',
        providerId: provider.body.id,
        llmConfig: { model: 'gpt-4o-mini', maxTokens: 32 },
      },
      this.apiKey,
    );
    if (agent.status !== 201) throw new Error(`agent: ${JSON.stringify(agent.body)}`);
    this.agentId = agent.body.id;
  }

  /** Changes the fault agent (PATCH /v1/agents/:id), e.g. its maxConcurrency. */
  async patchAgent(changes: Record<string, unknown>): Promise<void> {
    const answer = await this.http.patch(`/v1/agents/${this.agentId}`, changes, this.apiKey);
    if (answer.status !== 200) throw new Error(`agent: ${JSON.stringify(answer.body)}`);
  }

  /** Submits `count` executions in batches of up to 1,000; returns those accepted (202). */
  async submit(count: number, options: SubmitOptions): Promise<Submitted[]> {
    const accepted: Submitted[] = [];
    for (let start = 0; start < count; start += 1_000) {
      const markers = Array.from(
        { length: Math.min(1_000, count - start) },
        (_, i) => `${options.tag}-${start + i}`,
      );
      const answer = await this.submitBatch(markers, options);
      if (answer.status !== 202) {
        throw new Error(`batch submission: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      answer.body.data.forEach((execution: { id: string }, i: number) =>
        accepted.push({ id: execution.id, marker: markers[i] }),
      );
    }
    return accepted;
  }

  submitBatch(markers: string[], options: Omit<SubmitOptions, 'tag'>) {
    return this.http.post(
      `/v1/agents/${options.agentId ?? this.agentId}/executions/batch`,
      {
        executions: markers.map((marker, i) => ({
          input: { message: messageFor(marker) },
          maxAttempts: options.maxAttempts ?? 3,
          timeoutMs: options.timeoutMs,
          delayMs: options.delayMs,
          user: options.users?.[i % options.users.length],
        })),
      },
      this.apiKey,
    );
  }

  /** One submission, for timing how the API answers during an outage. */
  submitOne(marker: string) {
    return this.http.post(
      `/v1/agents/${this.agentId}/executions`,
      { input: { message: messageFor(marker) } },
      this.apiKey,
    );
  }

  /** Stops every process with SIGTERM (SIGKILL after 20 s); returns nothing, never throws. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.workers, ...(this.api ? [this.api] : [])].map((process) =>
        process.running ? process.stop() : undefined,
      ),
    );
  }

  /** Everything the processes printed, for a failing test's message. */
  logs(chars = 4_000): string {
    return [this.api, ...this.workers]
      .filter(Boolean)
      .map((process) => `--- ${process.name} (pid ${process.pid})\n${process.tail(chars)}`)
      .join('\n');
  }
}

/** The marker travels in the prompt; the fake provider server's requests are matched by it. */
export const messageFor = (marker: string) => `fault suite ⟦${marker}⟧`;
export const MARKER_PATTERN = /⟦([^⟧]+)⟧/;

export async function waitUntil(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  intervalMs = 100,
): Promise<number> {
  const startedAt = Date.now();
  for (;;) {
    try {
      if (await probe()) return Date.now() - startedAt;
    } catch {
      // The probe's own connection may be the thing that is down; try again.
    }
    if (Date.now() - startedAt > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** `work`, or an error naming `what` once `timeoutMs` has passed. */
export async function within<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
