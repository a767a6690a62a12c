// The ceiling: a BullMQ worker with a no-op processor on the same queue, Redis and job options
// as agentq, and nothing else (no database, no provider). BENCH_EXPECT=n makes it report when
// it has completed n jobs.
import { QUEUES } from '@agentq/jobs';
import { Worker } from 'bullmq';
import { emitBenchEvent } from '../child-process';

async function main() {
  const expected = Number(process.env.BENCH_EXPECT ?? 0);
  const worker = new Worker(QUEUES.executions, async () => ({ outcome: 'succeeded' }), {
    connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    prefix: process.env.QUEUE_PREFIX,
    concurrency: Number(process.env.WORKER_CONCURRENCY ?? 10),
  });
  let completed = 0;
  worker.on('completed', () => {
    completed += 1;
    if (completed === expected)
      emitBenchEvent({ event: 'done', completed, finishedAt: Date.now() });
  });
  worker.on('error', (error) => console.error(`raw worker: ${error.message}`));
  await worker.waitUntilReady();
  emitBenchEvent({ event: 'ready' });
  process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
}

main().catch((error: Error) => {
  console.error(error.stack);
  process.exit(1);
});
