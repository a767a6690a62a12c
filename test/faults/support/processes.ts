import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** The built code the processes run: `npm test` builds dist/ first. */
export const DIST_DIR = process.env.FAULTS_DIST_DIR ?? join(REPO_ROOT, 'dist');

const MAX_OUTPUT_CHARS = 4_000_000;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A real child process whose output is kept (up to a cap) for waiting on lines and for failures. */
export class ChildHandle {
  readonly exited: Promise<ExitStatus>;
  private text = '';
  private status: ExitStatus | null = null;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
      if (this.text.length > MAX_OUTPUT_CHARS) this.text = this.text.slice(-MAX_OUTPUT_CHARS / 2);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.status = { code, signal };
        resolve(this.status);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.status === null;
  }

  output(): string {
    return this.text;
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.text);
      if (match) return match;
      if (!this.running) throw new Error(`${this.name} exited early:\n${this.tail()}`);
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: timed out waiting for ${pattern}:\n${this.tail()}`);
      }
      await sleep(50);
    }
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 20_000): Promise<ExitStatus> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  tail(chars = 6_000): string {
    return this.text.slice(-chars);
  }
}

/** Runs a built entry point (relative to dist/) with exactly this environment (plus PATH). */
export function startNodeProcess(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): ChildHandle {
  const child = spawn(process.execPath, [join(DIST_DIR, script), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ChildHandle(name, child);
}

export function startBinary(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions = {},
): ChildHandle {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  return new ChildHandle(name, child);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
