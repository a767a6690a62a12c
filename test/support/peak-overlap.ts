import { FakeProviderRequest } from '@agentq/testing';

// The most requests the provider was serving at once, each taking `latencyMs` from its arrival.
export function peakOverlap(requests: FakeProviderRequest[], latencyMs: number): number {
  const edges = requests.flatMap((r) => [
    { at: r.receivedAt, change: 1 },
    { at: r.receivedAt + latencyMs, change: -1 },
  ]);
  // An end and a start at the same instant do not overlap.
  edges.sort((a, b) => a.at - b.at || a.change - b.change);
  let current = 0;
  let peak = 0;
  for (const edge of edges) {
    current += edge.change;
    peak = Math.max(peak, current);
  }
  return peak;
}
