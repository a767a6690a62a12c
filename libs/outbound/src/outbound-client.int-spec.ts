import { gzipSync } from 'node:zlib';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { destinationProblem } from './destination';
import { HostResolver } from './host-resolver';
import { OutboundClient, OutboundPolicy } from './outbound-client';
import { findOutboundError } from './outbound-error';

const POLICY: OutboundPolicy = {
  blockNonGlobalAddresses: true,
  connectTimeoutMs: 2_000,
  responseTimeoutMs: 5_000,
  maxResponseBytes: 1_000,
};

interface LocalServer {
  port: number;
  hosts: string[];
  close(): Promise<void>;
}

async function listen(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<LocalServer> {
  const hosts: string[] = [];
  const server: Server = createServer((request, response) => {
    hosts.push(request.headers.host ?? '');
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hosts,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const ok = (_request: IncomingMessage, response: ServerResponse) => response.end('{"ok":true}');

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  return findOutboundError(error);
}

describe('OutboundClient', () => {
  const clients: OutboundClient[] = [];
  const servers: LocalServer[] = [];
  const client = (policy: Partial<OutboundPolicy>, resolve: HostResolver) => {
    const created = new OutboundClient({ ...POLICY, ...policy }, resolve);
    clients.push(created);
    return created;
  };
  const server = async (
    handler: (request: IncomingMessage, response: ServerResponse) => void = ok,
  ) => {
    const started = await listen(handler);
    servers.push(started);
    return started;
  };

  afterEach(async () => {
    await Promise.all([...clients.splice(0), ...servers.splice(0)].map((c) => c.close()));
  });

  it('checks the address it connects to: a name that rebinds to loopback after the check is refused', async () => {
    const target = await server();
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    const lookups: string[] = [];
    const rebinding: HostResolver = async (hostname) => {
      lookups.push(hostname);
      return answers.shift() ?? ['127.0.0.1'];
    };
    const url = `http://rebind.test:${target.port}/v1/chat/completions`;

    // The early check (what the API does on create/update) sees the public answer...
    expect(await destinationProblem(url, rebinding)).toBeNull();
    // ...and the connection, which resolves again, is refused before it is made.
    const refused = await refusal(client({}, rebinding).fetch(url, { method: 'POST', body: '{}' }));
    expect(refused?.code).toBe('destination_refused');
    expect(refused?.message).toContain('127.0.0.1');
    expect(lookups).toEqual(['rebind.test', 'rebind.test']);
    expect(target.hosts).toEqual([]);
  });

  it('refuses IP literals in the URL without resolving them', async () => {
    const target = await server();
    const resolve = jest.fn<Promise<string[]>, [string]>();
    const refused = await refusal(client({}, resolve).fetch(`http://127.0.0.1:${target.port}/`));
    expect(refused?.code).toBe('destination_refused');
    expect(resolve).not.toHaveBeenCalled();
    expect(target.hosts).toEqual([]);
  });

  it('connects to the address it resolved and keeps the name in Host', async () => {
    const target = await server();
    const response = await client({ blockNonGlobalAddresses: false }, async () => [
      '127.0.0.1',
    ]).fetch(`http://provider.test:${target.port}/v1`);
    expect(await response.json()).toEqual({ ok: true });
    expect(target.hosts).toEqual([`provider.test:${target.port}`]);
  });

  it('does not follow a redirect to another origin', async () => {
    const elsewhere = await server();
    const redirecting = await server((_request, response) => {
      response.writeHead(307, { location: `http://127.0.0.1:${elsewhere.port}/steal` }).end();
    });
    const refused = await refusal(
      client({ blockNonGlobalAddresses: false }, async () => ['127.0.0.1']).fetch(
        `http://127.0.0.1:${redirecting.port}/v1/chat/completions`,
        { method: 'POST', body: '{"secret":"sk-live"}', headers: { authorization: 'Bearer sk' } },
      ),
    );
    expect(refused?.code).toBe('redirect_refused');
    expect(redirecting.hosts).toHaveLength(1);
    expect(elsewhere.hosts).toEqual([]);
  });

  it('reads an uncompressed answer of a declared length within the limit as it is', async () => {
    const target = await server((_request, response) => response.end('{"ok":true}'));
    const response = await client({ blockNonGlobalAddresses: false }, async () => [
      '127.0.0.1',
    ]).fetch(`http://127.0.0.1:${target.port}/`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('stops reading a compressed response that inflates past the limit, however short its declared length', async () => {
    const inflated = gzipSync('x'.repeat(50_000));
    const target = await server((_request, response) => {
      response.writeHead(200, {
        'content-encoding': 'gzip',
        'content-length': String(inflated.byteLength),
      });
      response.end(inflated);
    });
    expect(inflated.byteLength).toBeLessThan(POLICY.maxResponseBytes);
    const response = await client({ blockNonGlobalAddresses: false }, async () => [
      '127.0.0.1',
    ]).fetch(`http://127.0.0.1:${target.port}/`);
    expect((await refusal(response.text()))?.code).toBe('response_too_large');
  });

  it('stops reading a response larger than the limit', async () => {
    const target = await server((_request, response) => response.end('x'.repeat(5_000)));
    const response = await client({ blockNonGlobalAddresses: false }, async () => [
      '127.0.0.1',
    ]).fetch(`http://127.0.0.1:${target.port}/`);
    expect((await refusal(response.text()))?.code).toBe('response_too_large');
  });
});
