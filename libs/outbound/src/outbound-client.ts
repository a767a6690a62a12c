import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { vettedAddress } from './destination';
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

/**
 * The one HTTP client for requests to tenant-chosen destinations (providers today). Each
 * connection resolves its host once, applies the address policy to what it resolved, and
 * connects to that very address, so a name cannot pass the check and then rebind elsewhere.
 * Redirects are never followed, and response bodies are capped.
 */
export class OutboundClient {
  private readonly agent: Agent;

  constructor(
    private readonly policy: OutboundPolicy,
    private readonly resolve: HostResolver = systemResolver,
  ) {
    const connect = buildConnector({ timeout: policy.connectTimeoutMs });
    this.agent = new Agent({
      headersTimeout: policy.responseTimeoutMs,
      bodyTimeout: policy.responseTimeoutMs,
      // `host` keeps the name, so TLS still verifies and sends SNI for it.
      connect: (options, callback) => {
        vettedAddress(options.hostname, this.resolve, this.policy.blockNonGlobalAddresses).then(
          (address) => connect({ ...options, hostname: address }, callback),
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
    return new Response(this.capped(response.body), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

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
