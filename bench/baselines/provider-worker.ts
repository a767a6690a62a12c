// Not a worker: the fake LLM provider (OpenAI Chat Completions over real HTTP/1.1 keep-alive)
// as a process of its own, so its CPU is measured apart from agentq's. Every request is
// answered after BENCH_PROVIDER_LATENCY_MS. (Named *-worker so startBaseline can run it.)
import { FakeProviderServer } from '@agentq/testing';
import { emitBenchEvent } from '../child-process';

async function main() {
  const server = new FakeProviderServer().setDefault({
    kind: 'delay',
    ms: Number(process.env.BENCH_PROVIDER_LATENCY_MS ?? 2_000),
  });
  const { url } = await server.start();
  // The server keeps every request for tests to inspect; a bench run only needs the answers.
  setInterval(() => (server.requests.length = 0), 1_000).unref();
  emitBenchEvent({ event: 'ready', url });
  process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

main().catch((error: Error) => {
  console.error(error.stack);
  process.exit(1);
});
