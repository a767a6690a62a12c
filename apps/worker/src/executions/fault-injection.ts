import { AppConfig, FaultInjectionPoint } from '@agentq/config';

/**
 * TEST ONLY (AGENTQ_FAULT_INJECTION, refused in production): kills this worker process outright
 * at the given point of an attempt, the way a power cut or the OOM killer would, so the fault
 * suite can prove that a crash there loses and double-counts nothing. SIGKILL: no cleanup, no
 * lock release, no acknowledgement.
 */
export function crashIfInjected(
  config: AppConfig,
  point: FaultInjectionPoint,
  executionId: string,
): void {
  if (config.faultInjection !== point) return;
  // A synchronous write: the line must reach the test before the process disappears.
  process.stderr.write(`fault injection: ${point} for execution ${executionId}; SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
}

// Once the request has had time to reach the provider.
const STALL_AFTER_MS = 300;
// Longer than the job lock (it is lost), shorter than the concurrency slot's lease (see AgentConcurrency).
const STALL_LOCK_DURATIONS = 2.5;
let stalled = false;

/**
 * TEST ONLY (`stall-during-provider-call`): once per process, a busy loop blocks the event loop
 * while the first provider call is in flight, the way a CPU-bound step or a long GC pause would:
 * no timer runs, so neither the job lock nor anything else is renewed meanwhile.
 */
export function stallIfInjected(config: AppConfig, executionId: string): void {
  if (config.faultInjection !== 'stall-during-provider-call' || stalled) return;
  stalled = true;
  const stallMs = Math.round(config.worker.lockDurationMs * STALL_LOCK_DURATIONS);
  setTimeout(() => {
    process.stderr.write(`fault injection: stalling ${stallMs} ms during ${executionId}\n`);
    const until = Date.now() + stallMs;
    while (Date.now() < until) {
      // Busy: the event loop is blocked.
    }
  }, STALL_AFTER_MS).unref();
}
