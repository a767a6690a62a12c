/**
 * Abort reason for provider calls still running when a stopping worker's grace period ends:
 * the attempt is handed back to the queue (no attempt used) instead of being recorded.
 */
export class WorkerShutdownInterruption extends Error {
  constructor() {
    super('the worker is shutting down');
    this.name = 'WorkerShutdownInterruption';
  }
}
