import { createServer } from 'node:net';
import { formatDuration } from '@agentq/logging';
import { StackError } from './stack-error';

/** True when nothing listens on `port` (on every interface, or on `host` when given). */
export function isPortFree(port: number, host?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the operating system considers free right now. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `attempt` until it returns a value, `abort` returns a reason to give up, or the time
 * runs out. The error names the last failure.
 */
export async function waitFor<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  options: {
    timeoutMs: number;
    intervalMs?: number;
    /** A reason to stop waiting at once, e.g. the process being waited for has exited. */
    abort?: () => string | undefined;
    /** Errors that will not go away by retrying. */
    isFatal?: (error: unknown) => boolean;
  },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    const reason = options.abort?.();
    if (reason) throw new StackError(`${what}: ${reason}`);
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      if (options.isFatal?.(error)) throw error;
      lastProblem = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new StackError(
        `${what}: gave up after ${formatDuration(options.timeoutMs)} (${lastProblem})`,
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}
