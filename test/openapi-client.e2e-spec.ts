// The API contract as an integrator meets it: the served OpenAPI document passes Redocly's
// recommended rules and a standard validator, the committed client types are generated from
// it, and the README flow runs through the typed client. This file is type-checked under
// `strict` by `npm run typecheck` and, by the lint configuration, may use no type assertion.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAgentqClient, ExecutionView } from '@agentq/client';
import { startTestStack, TestStack } from './support/test-stack';

const PUBLIC_URL = 'https://agentq.internal.test';

// An answer's body, or a failed test naming the status and error it got instead.
function body<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`HTTP ${result.response.status}: ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

interface ContractReport {
  redocly: { severity: string; rule: string; message: string; at?: string }[];
  valid: boolean;
  validationErrors: unknown[];
  committedTypesMatch: boolean;
}

describe('OpenAPI contract and typed client', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ workers: 1, env: { PUBLIC_URL } });
  });
  afterAll(() => stack?.stop());

  it('serves a document that lints clean, validates, and matches the committed client types', async () => {
    const served = await fetch(`${stack.http.baseUrl}/docs-json`);
    const text = await served.text();
    const directory = mkdtempSync(join(tmpdir(), 'agentq-openapi-'));
    try {
      const file = join(directory, 'openapi.json');
      writeFileSync(file, text);
      const { stdout } = await promisify(execFile)('node', [
        'scripts/openapi-contract.mjs',
        'check',
        file,
      ]);
      const report: ContractReport = JSON.parse(stdout);
      expect(report.redocly.filter((p) => p.severity === 'error')).toEqual([]);
      // The warnings that remain are true of this API: health probes answer no 4xx, and the
      // SSE event schema is listed for generators though no JSON body uses it.
      const warnings = report.redocly.map((p) => `${p.rule} ${p.at}`).sort();
      expect(warnings).toEqual([
        'no-unused-components #/components/schemas/ExecutionEventView',
        'operation-4xx-response #/paths/~1health~1live/get/responses',
        'operation-4xx-response #/paths/~1health~1ready/get/responses',
      ]);
      expect(report.validationErrors).toEqual([]);
      expect(report.valid).toBe(true);
      // If this fails: `npm start`, then `npm run client:generate`, and commit the result.
      expect(report.committedTypesMatch).toBe(true);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    const document = JSON.parse(text);
    expect(document.servers).toEqual([{ url: PUBLIC_URL }]);
    expect(document.info.license.name).toBe('MIT');
  });

  it('runs the README flow through the typed client', async () => {
    const admin = createAgentqClient({ baseUrl: stack.http.baseUrl, token: stack.adminToken });
    const tenant = body(await admin.POST('/v1/admin/tenants', { body: { name: 'acme' } }));

    const client = createAgentqClient({ baseUrl: stack.http.baseUrl, token: tenant.apiKey.key });
    const provider = body(
      await client.POST('/v1/providers', {
        body: { name: 'local-echo', type: 'echo', isDefault: true },
      }),
    );
    expect(provider.isDefault).toBe(true);

    const agent = body(
      await client.POST('/v1/agents', {
        body: {
          name: 'researcher',
          role: 'Research assistant',
          goal: 'Answer questions briefly',
          llmConfig: { model: 'echo-1' },
        },
      }),
    );
    expect(agent.providerId).toBe(provider.id);

    const submitted = await client.POST('/v1/agents/{agentId}/executions', {
      params: { path: { agentId: agent.id } },
      body: { input: { message: 'hello' }, wait: 10 },
    });
    expect(submitted.response.status).toBe(200);
    const finished: ExecutionView = body(submitted);
    expect(finished.status).toBe('succeeded');

    const execution = body(
      await client.GET('/v1/executions/{id}', { params: { path: { id: finished.id } } }),
    );
    expect(execution.output?.text).toBe('echo: hello');
    expect(execution.usage.totalTokens).toBe(
      execution.usage.promptTokens + execution.usage.completionTokens,
    );

    const stats = body(
      await client.GET('/v1/agents/{id}/stats', { params: { path: { id: agent.id } } }),
    );
    expect(stats.totalExecutions).toBe(1);
    expect(stats.successfulExecutions).toBe(1);

    const missing = await client.GET('/v1/executions/{id}', {
      params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
    });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error.code).toBe('not_found');

    // The event stream: ids, the transition's own time, and Last-Event-ID honoured.
    const events = (lastEventId?: string) =>
      fetch(`${stack.http.baseUrl}/v1/executions/${execution.id}/events`, {
        headers: {
          authorization: `Bearer ${tenant.apiKey.key}`,
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
      }).then((response) => response.text());
    const stream = await events();
    const [, id, data] = /^id: (\S+)\nevent: succeeded\ndata: (.*)$/m.exec(stream) ?? [];
    expect(id).toBe(`${execution.attempts}.3`);
    expect(JSON.parse(data).at).toBe(execution.completedAt);
    expect(await events(id)).toBe('');
    expect(await events('0.0')).toContain(`id: ${id}\n`);
  });
});
