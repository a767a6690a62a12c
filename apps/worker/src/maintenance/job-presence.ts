import { Queue } from 'bullmq';

/**
 * Where an execution's BullMQ job stands, as far as the reconciler cares:
 * - `locked`: a worker holds it (its lock key is alive); leave it alone;
 * - `pending`: waiting, delayed, prioritized, or active with an expired lock (BullMQ's stalled
 *   check puts those back): it will run, nothing to do;
 * - `finished`: in the completed or failed set, so `add` with its id would be a no-op;
 * - `missing`: no job hash at all (never enqueued, removed, or lost by Redis).
 */
export type JobPresence = 'locked' | 'pending' | 'finished' | 'missing';

/**
 * Looks up many jobs at once: job hash, lock, completed and failed sets. The commands go out
 * back to back on one connection, so a chunk costs about one round trip.
 */
export async function inspectJobs(queue: Queue, ids: string[]): Promise<Map<string, JobPresence>> {
  const presence = new Map<string, JobPresence>();
  const client = await queue.getBackend().client;
  for (let start = 0; start < ids.length; start += CHUNK_SIZE) {
    const chunk = ids.slice(start, start + CHUNK_SIZE);
    const states = await Promise.all(
      chunk.map(async (id): Promise<JobPresence> => {
        const jobKey = queue.toKey(id);
        const [timestamp, lock, completed, failed] = await Promise.all([
          client.hget(jobKey, 'timestamp'),
          client.get(`${jobKey}:lock`),
          client.zscore(queue.keys.completed, id),
          client.zscore(queue.keys.failed, id),
        ]);
        if (lock !== null) return 'locked';
        if (timestamp === null) return 'missing';
        if (completed !== null || failed !== null) return 'finished';
        return 'pending';
      }),
    );
    chunk.forEach((id, index) => presence.set(id, states[index]));
  }
  return presence;
}

const CHUNK_SIZE = 500;
