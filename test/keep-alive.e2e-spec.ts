import http from 'node:http';
import { TEST_ADMIN_TOKEN } from '@agentq/testing';
import { ApiProcess, startApiProcess, useBuiltProcessEnv } from './support/api-process';

// One request on the shared keep-alive agent: its status, or what the socket said instead.
function send(
  agent: http.Agent,
  url: URL,
  method: string,
  headers: http.OutgoingHttpHeaders,
  body?: string | Buffer,
): Promise<number | string> {
  return new Promise((resolve) => {
    const request = http.request(url, { agent, method, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode!));
    });
    request.on('error', (error) => resolve(error.message));
    request.end(body);
  });
}

describe('keep-alive connections after malformed requests', () => {
  const builtEnv = useBuiltProcessEnv();
  let api: ApiProcess;
  let apiKey: string;
  let agentId: string;

  beforeAll(async () => {
    api = await startApiProcess({ ...builtEnv(), AUTH_FAILURE_LIMIT: '1000000' });
    const tenant = await api.http.post('/v1/admin/tenants', { name: 't' }, TEST_ADMIN_TOKEN);
    apiKey = tenant.body.apiKey.key;
    await api.http.post('/v1/providers', { name: 'echo', type: 'echo', isDefault: true }, apiKey);
    const agent = await api.http.post(
      '/v1/agents',
      { name: 'a', role: 'r', llmConfig: { model: 'echo-1' } },
      apiKey,
    );
    agentId = agent.body.id;
  });

  afterAll(async () => {
    api.process.child.kill('SIGTERM');
    await api.process.exited;
  });

  it('are closed only after an answer saying Connection: close: the next GET never hangs up', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const base = api.http.baseUrl;
    const auth = { authorization: `Bearer ${apiKey}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const submit = new URL(`${base}/v1/agents/${agentId}/executions`);
    const valid = JSON.stringify({ input: { message: 'hi' } });
    const accented = JSON.stringify({ input: { message: 'ünïcode 🙂' } });
    const malformed: [string, http.OutgoingHttpHeaders, string | Buffer][] = [
      ['truncated JSON', json, valid.slice(0, 10)],
      ['not an object', json, '42'],
      ['too deep', json, `${'{"a":['.repeat(5_000)}1${']}'.repeat(5_000)}`],
      ['text/plain', { ...auth, 'content-type': 'text/plain' }, valid],
      ['no content type', auth, valid],
      ['too large', json, 'x'.repeat(1_100_000)],
      ['too large, text/plain', { ...auth, 'content-type': 'text/plain' }, 'x'.repeat(1_100_000)],
      ['bad key', { ...json, authorization: 'Bearer aq_not_a_key' }, valid],
      // A length counted in characters, not bytes: the body's rest reads as the next request.
      [
        'Content-Length short of the body',
        { ...json, 'content-length': accented.length },
        accented,
      ],
      ['unknown field', json, JSON.stringify({ input: { message: 'hi' }, nope: 1 })],
    ];
    const problems: string[] = [];
    const list = new URL(`${base}/v1/executions?limit=5`);
    for (let round = 0; round < 5; round += 1) {
      for (const [name, headers, body] of malformed) {
        const refused = await send(agent, submit, 'POST', headers, body);
        // A 413 comes before the body is read, with Connection: close: a client still
        // uploading may see the close (EPIPE) before the answer. Its next request is the test.
        const uploadCut = name === 'too large' && /EPIPE|ECONNRESET/.test(String(refused));
        if (!uploadCut && (typeof refused !== 'number' || refused < 400 || refused >= 500)) {
          problems.push(`${name}: ${refused}`);
        }
        const listed = await send(agent, list, 'GET', auth);
        if (listed !== 200) problems.push(`GET after ${name}: ${listed}`);
      }
    }
    agent.destroy();
    expect(problems).toEqual([]);
  });
});
