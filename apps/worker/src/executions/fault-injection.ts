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
