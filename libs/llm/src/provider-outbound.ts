import { HostResolver, OutboundClient, systemResolver } from '@agentq/outbound';
import { SDK_TIMEOUT_MS } from './sdk-call';

/** The outbound policy of provider calls: a chat completion is a few hundred kilobytes at most. */
export function createProviderOutboundClient(
  blockNonGlobalAddresses: boolean,
  resolve: HostResolver = systemResolver,
): OutboundClient {
  return new OutboundClient(
    {
      blockNonGlobalAddresses,
      connectTimeoutMs: 10_000,
      responseTimeoutMs: SDK_TIMEOUT_MS,
      maxResponseBytes: 16 * 1024 * 1024,
    },
    resolve,
  );
}
