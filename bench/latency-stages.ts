import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { OpenLoopSubmission } from './load';
import { percentile, round } from './stats';

export type LatencyStages = Record<
  'answer' | 'toClaim' | 'run' | 'toEvent',
  { p50Ms: number; p99Ms: number }
>;

/**
 * Where the latency of the finished submissions went, p50 and p99 of each stage: the HTTP answer
 * (scheduled send to 202), the wait for a worker's claim (202 to `started_at`), the run and its
 * terminal commit (`started_at` to `completed_at`) and the event (`completed_at` to its arrival
 * here). PostgreSQL's clock and this process's are the same machine's.
 */
export async function latencyStages(
  dataSource: DataSource,
  submissions: OpenLoopSubmission[],
  terminalAt: Map<string, number>,
): Promise<LatencyStages> {
  const finished = submissions.filter(
    (s) => s.measured && s.id !== null && s.answeredAt !== undefined && terminalAt.has(s.id),
  );
  const rows: { id: string; started_ms: string; completed_ms: string }[] = await dataSource.query(
    `SELECT id, extract(epoch FROM started_at) * 1000 AS started_ms,
            extract(epoch FROM completed_at) * 1000 AS completed_ms
       FROM agent_executions WHERE id = ANY($1::uuid[])`,
    [finished.map((s) => s.id)],
  );
  const times = new Map(rows.map((r) => [r.id, [Number(r.started_ms), Number(r.completed_ms)]]));
  const epochMs = (performanceMs: number) => performance.timeOrigin + performanceMs;
  const stages = { answer: [], toClaim: [], run: [], toEvent: [] } as Record<
    keyof LatencyStages,
    number[]
  >;
  for (const s of finished) {
    const [startedMs, completedMs] = times.get(s.id!) ?? [];
    if (startedMs === undefined) continue;
    stages.answer.push(s.answeredAt! - s.scheduledAt);
    stages.toClaim.push(startedMs - epochMs(s.answeredAt!));
    stages.run.push(completedMs - startedMs);
    stages.toEvent.push(epochMs(terminalAt.get(s.id!)!) - completedMs);
  }
  const summary = (values: number[]) => ({
    p50Ms: round(percentile(values, 50)),
    p99Ms: round(percentile(values, 99)),
  });
  return {
    answer: summary(stages.answer),
    toClaim: summary(stages.toClaim),
    run: summary(stages.run),
    toEvent: summary(stages.toEvent),
  };
}
