import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) a process has used so far, from /proc; null where there is no
 * /proc (not Linux) or the process is gone. Used to say where a run's time went: worker,
 * PostgreSQL backends, Redis.
 */
export function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU seconds of a set of processes between two readings; processes born later count from 0. */
export class CpuMeter {
  private readonly start = new Map<number, number>();

  constructor(private readonly listPids: () => Promise<number[]>) {}

  async begin(): Promise<void> {
    this.start.clear();
    for (const pid of await this.listPids()) {
      const seconds = cpuSeconds(pid);
      if (seconds !== null) this.start.set(pid, seconds);
    }
  }

  async end(): Promise<number | null> {
    const pids = await this.listPids();
    let total = 0;
    let seen = false;
    for (const pid of pids) {
      const seconds = cpuSeconds(pid);
      if (seconds === null) continue;
      seen = true;
      total += seconds - (this.start.get(pid) ?? 0);
    }
    return seen ? total : null;
  }
}
