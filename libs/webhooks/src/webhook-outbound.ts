import { OutboundClient } from '@agentq/outbound';

/** The outbound policy of deliveries: the provider guard, with the endpoint's time limit. */
export function createWebhookOutboundClient(
  blockNonGlobalAddresses: boolean,
  timeoutMs: number,
): OutboundClient {
  return new OutboundClient({
    blockNonGlobalAddresses,
    connectTimeoutMs: timeoutMs,
    responseTimeoutMs: timeoutMs,
    // Only the status matters; a receiver's answer body is kept to its first bytes.
    maxResponseBytes: 64 * 1024,
  });
}
