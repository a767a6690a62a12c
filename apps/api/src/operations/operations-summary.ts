import { AgentQueueDepth, FinishedMinute } from '@agentq/executions';
import { FinishedCountsView, FinishedMinuteView, QueueDepthView } from './operations.view';

const MINUTE_MS = 60_000;

/** The per-agent depths summed into the tenant's. */
export function totalDepth(byAgent: readonly AgentQueueDepth[]): QueueDepthView {
  const total = { waiting: 0, delayed: 0, active: 0, requiresAction: 0 };
  for (const agent of byAgent) {
    total.waiting += agent.waiting;
    total.delayed += agent.delayed;
    total.active += agent.active;
    total.requiresAction += agent.requiresAction;
  }
  return total;
}

/** Every minute of the window from `since` to `now`, zero where nothing ended (a chart's axis). */
export function everyMinute(
  finished: readonly FinishedMinute[],
  since: Date,
  now: Date,
): FinishedMinuteView[] {
  const byMinute = new Map(finished.map((row) => [new Date(row.minute).getTime(), row]));
  const minutes: FinishedMinuteView[] = [];
  const first = Math.floor(since.getTime() / MINUTE_MS) * MINUTE_MS;
  for (let at = first; at <= now.getTime(); at += MINUTE_MS) {
    const row = byMinute.get(at);
    minutes.push({
      minute: new Date(at),
      succeeded: row?.succeeded ?? 0,
      failed: row?.failed ?? 0,
      cancelled: row?.cancelled ?? 0,
    });
  }
  return minutes;
}

export function totalFinished(minutes: readonly FinishedCountsView[]): FinishedCountsView {
  return minutes.reduce(
    (sum, row) => ({
      succeeded: sum.succeeded + row.succeeded,
      failed: sum.failed + row.failed,
      cancelled: sum.cancelled + row.cancelled,
    }),
    { succeeded: 0, failed: 0, cancelled: 0 },
  );
}
