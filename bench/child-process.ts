import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const KEPT_LINES = 200;
// Lines a bench baseline prints to talk to the harness: `BENCH {"event":"ready",...}`.
const EVENT_LINE = /^BENCH (\{.*\})$/;

export interface BenchEvent {
  event: string;
  [key: string]: unknown;
}

/** A built entry point run as its own process, as in a deployment. */
export class BenchProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly events: BenchEvent[] = [];
  private readonly eventWaiters: { event: string; resolve: (e: BenchEvent) => void }[] = [];

  constructor(
    readonly name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    nodeArgs: string[] = [],
  ) {
    this.child = spawn(process.execPath, [...nodeArgs, script], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) =>
        this.onLine(line),
      );
    }
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.lines.join('\n');
  }

  private onLine(line: string) {
    this.lines.push(line);
    if (this.lines.length > KEPT_LINES) this.lines.shift();
    const match = EVENT_LINE.exec(line);
    if (!match) return;
    const event = JSON.parse(match[1]) as BenchEvent;
    this.events.push(event);
    for (const waiter of [...this.eventWaiters]) {
      if (waiter.event !== event.event) continue;
      this.eventWaiters.splice(this.eventWaiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  }

  /** The first `BENCH {"event": name}` line, past or future. */
  waitForEvent(event: string, timeoutMs: number): Promise<BenchEvent> {
    const seen = this.events.find((e) => e.event === event);
    if (seen) return Promise.resolve(seen);
    return this.race(
      new Promise<BenchEvent>((resolve) => this.eventWaiters.push({ event, resolve })),
      timeoutMs,
      `event ${event}`,
    );
  }

  /** Fails fast if the process dies or the time runs out while `work` is pending. */
  async race<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name}: timed out waiting for ${what}\n${this.output()}`)),
        timeoutMs,
      );
    });
    const died = this.exited.then(({ code, signal }) => {
      throw new Error(
        `${this.name} exited (${signal ?? code}) while waiting for ${what}\n${this.output()}`,
      );
    });
    try {
      return await Promise.race([work, timeout, died]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM (a graceful stop, which also writes a --cpu-prof profile), SIGKILL after a while. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Prints an event line for the harness (used by the baseline workers). */
export function emitBenchEvent(event: BenchEvent): void {
  process.stdout.write(`BENCH ${JSON.stringify(event)}\n`);
}
