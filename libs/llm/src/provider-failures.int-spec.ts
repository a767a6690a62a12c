import { FakeProviderBehaviour, FakeProviderServer } from '@agentq/testing';
import { LlmAbortReason } from './llm-abort-reason';
import { createLlmAdapter } from './llm-adapter.factory';
import { createProviderOutboundClient } from './provider-outbound';
import { LlmError } from './llm-errors';
import { LlmProviderAdapter, ProviderConnection } from './llm-provider.port';

const connections: [string, (url: string) => ProviderConnection][] = [
  ['openai', (url) => ({ type: 'openai', apiKey: 'sk-test', baseUrl: `${url}/v1`, settings: {} })],
  ['anthropic', (url) => ({ type: 'anthropic', apiKey: 'sk-ant', baseUrl: url, settings: {} })],
];

const outbound = createProviderOutboundClient(false);
afterAll(() => outbound.close());

describe.each(connections)('%s adapter failures over a real socket', (_name, connectionTo) => {
  const server = new FakeProviderServer();
  let adapter: LlmProviderAdapter;

  beforeAll(async () => {
    const { url } = await server.start();
    adapter = createLlmAdapter(connectionTo(url), outbound);
  });
  afterEach(() => server.clear());
  afterAll(() => server.stop());

  const call = (signal = new AbortController().signal) =>
    adapter.complete({
      model: 'some-model',
      systemPrompt: 'system',
      messages: [{ role: 'user', content: 'hello' }],
      signal,
    });

  async function failureOf(behaviour: FakeProviderBehaviour): Promise<LlmError> {
    server.script([behaviour]);
    const error = await call().then(
      () => {
        throw new Error('the call succeeded');
      },
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(LlmError);
    // maxRetries: 0, so the SDK never tries a second time on its own.
    expect(server.requests).toHaveLength(1);
    return error as LlmError;
  }

  it('reports 429 with Retry-After as rate limited, with the wait', async () => {
    expect(await failureOf({ kind: 'error', status: 429, retryAfterSeconds: 1 })).toMatchObject({
      kind: 'rate_limited',
      code: 'provider_rate_limited',
      status: 429,
      retryAfterMs: 1_000,
    });
  });

  it('reads retry-after-ms when the provider sends it', async () => {
    const error = await failureOf({ kind: 'error', status: 429, retryAfterMs: 2_500 });
    expect(error.retryAfterMs).toBe(2_500);
  });

  it.each([500, 503, 529])('reports %i as transient', async (status) => {
    expect(await failureOf({ kind: 'error', status })).toMatchObject({
      kind: 'transient',
      code: 'provider_unavailable',
      status,
    });
  });

  it.each([400, 401, 404])('reports %i as permanent', async (status) => {
    expect(await failureOf({ kind: 'error', status })).toMatchObject({
      kind: 'permanent',
      code: 'provider_rejected',
      status,
    });
  });

  it('reports a reset connection as transient', async () => {
    expect(await failureOf({ kind: 'reset' })).toMatchObject({
      kind: 'transient',
      code: 'provider_unavailable',
    });
  });

  it('reports an unparseable body as a transient bad response', async () => {
    expect(await failureOf({ kind: 'invalid-json' })).toMatchObject({
      kind: 'transient',
      code: 'provider_bad_response',
    });
  });

  it.each([
    ['an HTML page', { status: 200, body: '<html>hi</html>', contentType: 'text/html' }],
    ['JSON of the wrong shape', { status: 200, body: '{"content": "nope", "choices": []}' }],
  ])('reports a 200 with %s as a transient bad response', async (_what, answer) => {
    expect(await failureOf({ kind: 'raw', ...answer })).toMatchObject({
      kind: 'transient',
      code: 'provider_bad_response',
    });
  });

  it("reports a proxy's HTML 502 page as transient", async () => {
    const answer = { status: 502, body: '<html>bad gateway</html>', contentType: 'text/html' };
    expect(await failureOf({ kind: 'raw', ...answer })).toMatchObject({
      kind: 'transient',
      code: 'provider_unavailable',
      status: 502,
    });
  });

  it.each([
    ['timeout', 'timeout', 'provider_timeout'],
    ['cancelled', 'aborted', 'cancelled'],
  ] as const)('reports a hung call aborted for %s by its reason', async (reason, kind, code) => {
    server.script([{ kind: 'hang' }]);
    const controller = new AbortController();
    const pending = call(controller.signal);
    await server.waitForRequests(1);

    controller.abort(new LlmAbortReason(reason));

    await expect(pending).rejects.toMatchObject({ kind, code });
  });

  it('aborts while the answer is being delayed', async () => {
    server.script([{ kind: 'delay', ms: 60_000 }]);
    const controller = new AbortController();
    const pending = call(controller.signal);
    await server.waitForRequests(1);

    controller.abort(new LlmAbortReason('timeout'));

    await expect(pending).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('answers after a short delay', async () => {
    server.script([{ kind: 'delay', ms: 30, then: { kind: 'reply', text: 'late but fine' } }]);
    expect((await call()).text).toBe('late but fine');
  });
});
