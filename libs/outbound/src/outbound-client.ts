import { isIP } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { vettedAddresses } from './destination';
import { HostResolver, systemResolver } from './host-resolver';
import { OutboundError } from './outbound-error';

export interface OutboundPolicy {
  /** Refuse every address that is not global unicast (AGENTQ_BLOCK_PRIVATE_PROVIDER_URLS). */
  blockNonGlobalAddresses: boolean;
  connectTimeoutMs: number;
  /** Longest wait for the response headers, and for each chunk of the body after them. */
  responseTimeoutMs: number;
  maxResponseBytes: number;
}

/** The `fetch` signature the openai and @anthropic-ai/sdk clients accept as their `fetch` option. */
export type OutboundFetch = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

// An uncompressed body with a declared length within the cap cannot outgrow it (the HTTP parser
// reads exactly that many bytes), so it needs no capping stream; a compressed one can (a small
// gzip can inflate to gigabytes), and one without a length can too. That stream and the
// Response wrapped around it cost about as much CPU as the call itself (#33).
function boundedByItsLength(response: { headers: Headers }, max: number): boolean {
  const encoding = response.headers.get('content-encoding');
  if (encoding !== null && encoding !== 'identity') return false;
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  return Number.isInteger(length) && length >= 0 && length <= max;
}

/**
 * The one HTTP client for requests to tenant-chosen destinations (providers today). Each new
 * connection resolves its host once, in the socket's lookup hook, applies the address policy to
 * every address it got, and dials only those, so a name cannot pass the check and then rebind
 * elsewhere. Redirects are never followed, and response bodies are capped.
 */
export class OutboundClient {
  private readonly agent: Agent;

  constructor(
    private readonly policy: OutboundPolicy,
    private readonly resolve: HostResolver = systemResolver,
  ) {
    const connect = buildConnector({
      timeout: policy.connectTimeoutMs,
      // net.connect resolves a name only through this hook and dials what it answers.
      lookup: (hostname, options, callback) => {
        this.addressesFor(hostname).then(
          (addresses) => {
            const entries = addresses
              .map((address) => ({ address, family: isIP(address) }))
              .filter((entry) => !options.family || entry.family === options.family);
            if (options.all) callback(null, entries);
            else if (entries[0]) callback(null, entries[0].address, entries[0].family);
            else
              callback(new OutboundError('destination_unresolved', `${hostname}: no address`), '');
          },
          (error: Error) => callback(error, ''),
        );
      },
    });
    this.agent = new Agent({
      headersTimeout: policy.responseTimeoutMs,
      bodyTimeout: policy.responseTimeoutMs,
      // An IP literal never reaches the lookup hook: it is checked here instead.
      connect: (options, callback) => {
        if (!isIP(options.hostname.replace(/^\[(.*)\]$/, '$1'))) return connect(options, callback);
        this.addressesFor(options.hostname).then(
          () => connect(options, callback),
          (error: Error) => callback(error, null),
        );
      },
    });
  }

  readonly fetch: OutboundFetch = async (input, init) => {
    // Normalised by the platform's Request, then handed to undici's fetch (its own types).
    const request = new Request(input, init);
    const response = await undiciFetch(request.url, {
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: request.body ? new Uint8Array(await request.arrayBuffer()) : undefined,
      signal: init?.signal,
      redirect: 'manual',
      dispatcher: this.agent,
    });
    if (REDIRECT_STATUSES.has(response.status)) {
      await response.body?.cancel();
      const location = response.headers.get('location') ?? '(no location)';
      throw new OutboundError(
        'redirect_refused',
        `${new URL(request.url).origin} answered ${response.status} redirecting to ${location}; redirects are not followed`,
      );
    }
    if (boundedByItsLength(response, this.policy.maxResponseBytes)) {
      // Same shape as the platform's Response for the SDKs, without a second one around it.
      return response as unknown as Response;
    }
    return new Response(this.capped(response.body), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

  private addressesFor(hostname: string): Promise<string[]> {
    return vettedAddresses(hostname, this.resolve, this.policy.blockNonGlobalAddresses);
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private capped(body: ReadableStream<Uint8Array> | null): ReadableStream<Uint8Array> | null {
    if (!body) return null;
    const max = this.policy.maxResponseBytes;
    let received = 0;
    return body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          received += chunk.byteLength;
          if (received > max) {
            controller.error(
              new OutboundError('response_too_large', `the response is larger than ${max} bytes`),
            );
            return;
          }
          controller.enqueue(chunk);
        },
      }),
    );
  }
}
