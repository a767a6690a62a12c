import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { formatDuration } from '@agentq/logging';
import { prefixedWriter } from './output';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

export function describeExit(exit: ProcessExit): string {
  if (exit.error) return exit.error.message;
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.code}`;
}

/**
 * A child process whose output is printed line by line with a `[name]` prefix.
 *
 * It runs in a process group of its own (`detached`), so a Ctrl-C in the terminal reaches only
 * the stack, which then stops its children one by one in a safe order.
 */
export class ManagedProcess {
  readonly name: string;
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private exit?: ProcessExit;
  private stopRequested = false;

  constructor(options: ManagedProcessOptions) {
    this.name = options.name;
    const write = prefixedWriter(options.name);
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      uid: options.uid,
      gid: options.gid,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', write);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        // Only a failure to spawn ends the process here; later errors come with an exit.
        if (this.child.pid === undefined) {
          this.exit = { code: null, signal: null, error };
          resolve(this.exit);
        }
      });
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** True once stop() or kill() was called: its exit is then expected. */
  get isStopping(): boolean {
    return this.stopRequested;
  }

  /** Sends `signal`, waits up to `timeoutMs`, then kills the whole process group. */
  async stop(signal: NodeJS.Signals, timeoutMs: number): Promise<ProcessExit> {
    this.stopRequested = true;
    if (this.exit) return this.exit;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome !== 'timeout') return outcome;
    prefixedWriter('stack')(
      `${this.name} did not stop within ${formatDuration(timeoutMs)}; killing it`,
    );
    this.kill();
    return this.exited;
  }

  /** SIGKILL to the process group: the process and anything it started. */
  kill(): void {
    this.stopRequested = true;
    if (this.exit || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }
}
