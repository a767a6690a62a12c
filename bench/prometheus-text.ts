/** Sums of each series in a Prometheus text exposition, by metric name (labels summed over). */
export function sumSeries(exposition: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    sums.set(match[1], (sums.get(match[1]) ?? 0) + value);
  }
  return sums;
}

/** What an agentq worker's /metrics says about a run: group commit sizes and times. */
export async function scrapeWorkerDiagnostics(port: number) {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  const sums = sumSeries(await response.text());
  const ratio = (a: string, b: string) => {
    const divisor = sums.get(b) ?? 0;
    return divisor > 0 ? (sums.get(a) ?? 0) / divisor : null;
  };
  return {
    jobsStarted: sums.get('agentq_jobs_started_total') ?? 0,
    jobsCompleted: sums.get('agentq_jobs_completed_total') ?? 0,
    groupCommits: sums.get('agentq_group_commit_batch_size_count') ?? 0,
    meanBatchSize: ratio(
      'agentq_group_commit_batch_size_sum',
      'agentq_group_commit_batch_size_count',
    ),
    meanCommitMs: mul(
      ratio(
        'agentq_group_commit_duration_seconds_sum',
        'agentq_group_commit_duration_seconds_count',
      ),
      1_000,
    ),
    // prom-client resets its event-loop histogram at every scrape: this is since the last one.
    eventLoopP99Ms: mul(sums.get('nodejs_eventloop_lag_p99_seconds') ?? null, 1_000),
    meanAttemptMs: mul(
      ratio('agentq_execution_duration_seconds_sum', 'agentq_execution_duration_seconds_count'),
      1_000,
    ),
  };
}

const mul = (value: number | null, factor: number) => (value === null ? null : value * factor);
