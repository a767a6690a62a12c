import { destinationProblem, HostResolver } from '@agentq/outbound';
import { FakeProviderServer } from '@agentq/testing';
import { createLlmAdapter } from './llm-adapter.factory';
import { LlmError } from './llm-errors';
import { ProviderConnection } from './llm-provider.port';
import { createProviderOutboundClient } from './provider-outbound';

const request = {
  model: 'gpt-4o-mini',
  systemPrompt: '',
  messages: [{ role: 'user' as const, content: 'hi' }],
  signal: new AbortController().signal,
};

const connections: [string, (url: string) => ProviderConnection][] = [
  [
    'openai',
    (url) => ({ type: 'openai', apiKey: 'sk-stored', baseUrl: `${url}/v1`, settings: {} }),
  ],
  ['anthropic', (url) => ({ type: 'anthropic', apiKey: 'sk-stored', baseUrl: url, settings: {} })],
];

describe.each(connections)('%s provider destinations', (_name, connectionTo) => {
  const provider = new FakeProviderServer();
  const elsewhere = new FakeProviderServer();

  beforeAll(() => Promise.all([provider.start(), elsewhere.start()]));
  afterEach(() => {
    provider.clear();
    elsewhere.clear();
  });
  afterAll(() => Promise.all([provider.stop(), elsewhere.stop()]));

  it('with the guard on, never connects to a host name that rebinds to loopback after the check', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    const rebinding: HostResolver = async () => answers.shift() ?? ['127.0.0.1'];
    const port = new URL(provider.url).port;
    const connection = connectionTo(`http://provider.rebind.test:${port}`);
    expect(await destinationProblem(connection.baseUrl!, rebinding)).toBeNull();

    const outbound = createProviderOutboundClient(true, rebinding);
    const failure = await createLlmAdapter(connection, outbound)
      .complete(request)
      .catch((error: unknown) => error);
    await outbound.close();

    expect(failure).toBeInstanceOf(LlmError);
    expect(failure).toMatchObject({ kind: 'permanent', code: 'provider_misconfigured' });
    expect((failure as LlmError).message).toContain('127.0.0.1');
    expect(provider.requests).toEqual([]);
  });

  it('does not follow a redirect to another origin', async () => {
    provider.script([{ kind: 'redirect', location: `${elsewhere.url}/v1/chat/completions` }]);
    const outbound = createProviderOutboundClient(false);
    const failure = await createLlmAdapter(connectionTo(provider.url), outbound)
      .complete(request)
      .catch((error: unknown) => error);
    await outbound.close();

    expect(failure).toMatchObject({ kind: 'permanent', code: 'provider_misconfigured' });
    expect(provider.requests).toHaveLength(1);
    expect(elsewhere.requests).toEqual([]);
  });
});
