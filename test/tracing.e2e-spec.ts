import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { QUEUES } from '@agentq/jobs';
import { TEST_ADMIN_TOKEN } from '@agentq/testing';
import { ApiProcess, startApiProcess, useBuiltProcessEnv } from './support/api-process';
import { RunningProcess, startProcess } from './support/child-process';
import { waitFor } from './support/scenario';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  arrayValue?: { values: OtlpValue[] };
}
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

function plain(value: OtlpValue): unknown {
  if (value.arrayValue) return value.arrayValue.values.map(plain);
  return value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value);
}

// An in-process OTLP/HTTP (JSON) receiver: what a collector would be sent.
function startOtlpReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[] }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        for (const resourceSpans of JSON.parse(body).resourceSpans ?? []) {
          const service = resourceSpans.resource.attributes.find(
            (a: { key: string }) => a.key === 'service.name',
          )?.value.stringValue;
          for (const scope of resourceSpans.scopeSpans) {
            for (const span of scope.spans) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId || undefined,
                name: span.name,
                kind: span.kind,
                attributes: Object.fromEntries(
                  (span.attributes ?? []).map((a: { key: string; value: OtlpValue }) => [
                    a.key,
                    plain(a.value),
                  ]),
                ),
              });
            }
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans }),
    ),
  );
}

// The built API and worker exporting to a local receiver, as an operator would run them.
describe('OpenTelemetry traces', () => {
  const builtEnv = useBuiltProcessEnv();
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let api: ApiProcess;
  let worker: RunningProcess;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const env = {
      ...builtEnv(),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      METRICS_PORT: '0',
    };
    worker = startProcess('dist/apps/worker/src/main.js', env);
    [api] = await Promise.all([
      startApiProcess(env),
      worker.waitForOutput(/running with concurrency/, 45_000),
    ]);
  });
  afterAll(async () => {
    for (const child of [api?.process, worker]) {
      child?.child.kill('SIGTERM');
      await child?.exited;
    }
    receiver?.server.close();
  });

  it('follows one execution from the HTTP request to the commit in one trace', async () => {
    const tenant = await api.http.post('/v1/admin/tenants', { name: 'traced' }, TEST_ADMIN_TOKEN);
    const key = tenant.body.apiKey.key;
    await api.http.post('/v1/providers', { name: 'echo', type: 'echo', isDefault: true }, key);
    const agent = await api.http.post(
      '/v1/agents',
      { name: 'a', role: 'r', llmConfig: { model: 'echo-1', maxTokens: 64 } },
      key,
    );
    const submitted = await api.http.post(
      `/v1/agents/${agent.body.id}/executions`,
      { input: { message: 'hello' }, wait: 10, user: 'traced-user', tags: ['traced'] },
      key,
    );
    expect(submitted.body.status).toBe('succeeded');
    const executionId: string = submitted.body.id;

    const byName = (name: string) =>
      receiver.spans.find(
        (s) => s.name === name && s.attributes['agentq.execution.id'] === executionId,
      );
    const commit = await waitFor(async () => byName('commit execution'), 'the commit span');
    const enqueue = await waitFor(
      async () => byName(`enqueue ${QUEUES.executions}`),
      'the enqueue span',
    );
    // The request's span ends with its response and may be exported after the worker's spans.
    await waitFor(
      async () =>
        receiver.spans.find(
          (s) => s.traceId === commit.traceId && s.name === 'POST /v1/agents/:agentId/executions',
        ),
      'the HTTP request span',
    );
    const trace = receiver.spans.filter((s) => s.traceId === commit.traceId);
    // The execution names its trace, recorded at submission (the console's run page shows it).
    expect(submitted.body.traceId).toBe(commit.traceId);
    const read = await api.http.get(`/v1/executions/${executionId}`, key);
    expect(read.body.traceId).toBe(commit.traceId);
    const parentOf = (span: ReceivedSpan) => trace.find((s) => s.spanId === span.parentSpanId);

    const http = trace.find((s) => s.name === 'POST /v1/agents/:agentId/executions');
    expect(http).toMatchObject({
      service: 'agentq-api',
      kind: SPAN_KIND.server,
      parentSpanId: undefined,
    });
    expect(http?.attributes['http.route']).toBe('/v1/agents/:agentId/executions');
    expect(enqueue).toMatchObject({ service: 'agentq-api', kind: SPAN_KIND.producer });
    expect(parentOf(enqueue)).toBe(http);

    const process = trace.find((s) => s.name === `process ${QUEUES.executions}`);
    expect(process).toMatchObject({ service: 'agentq-worker', kind: SPAN_KIND.consumer });
    expect(parentOf(process!)).toBe(enqueue);
    const claim = trace.find((s) => s.name === 'claim execution');
    const chat = trace.find((s) => s.name === 'chat echo-1');
    for (const step of [claim, chat, commit]) expect(parentOf(step!)).toBe(process);

    expect(chat).toMatchObject({
      kind: SPAN_KIND.client,
      attributes: expect.objectContaining({
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'echo',
        'gen_ai.request.model': 'echo-1',
        'gen_ai.request.max_tokens': 64,
        'gen_ai.response.model': 'echo-1',
        'gen_ai.usage.input_tokens': submitted.body.usage.promptTokens,
        'gen_ai.usage.output_tokens': submitted.body.usage.completionTokens,
        'agentq.agent.id': agent.body.id,
        'agentq.tenant.id': tenant.body.id,
        'enduser.id': 'traced-user',
        'agentq.api_key.id': tenant.body.apiKey.id,
        'agentq.tags': ['traced'],
      }),
    });
    // The maintained instrumentations add PostgreSQL and Redis spans to the same trace.
    expect(
      trace.some(
        (s) =>
          s.attributes['db.system'] === 'postgresql' ||
          s.attributes['db.system.name'] === 'postgresql',
      ),
    ).toBe(true);
    expect(
      trace.some(
        (s) => s.attributes['db.system'] === 'redis' || s.attributes['db.system.name'] === 'redis',
      ),
    ).toBe(true);
  });
});
