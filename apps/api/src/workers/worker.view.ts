import { WorkerRegistration } from '@agentq/database';

/** The public shape of a live worker (GET /v1/workers). */
export function toWorkerView(row: WorkerRegistration) {
  return {
    id: row.id,
    host: row.host,
    pid: row.pid,
    version: row.version,
    concurrency: row.concurrency,
    startedAt: row.startedAt,
    lastHeartbeatAt: row.lastHeartbeatAt,
    jobsCompleted: Number(row.jobsCompleted),
    jobsFailed: Number(row.jobsFailed),
  };
}
