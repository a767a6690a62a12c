import { readdirSync, readFileSync } from 'node:fs';

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

/** The postmaster of a backend (its parent) and every process it forked: the whole cluster. */
export function postgresClusterPids(backendPid: number): number[] {
  const postmaster = parentPid(backendPid);
  if (!postmaster) return [];
  const pids = [postmaster];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (parentPid(Number(entry)) === postmaster) pids.push(Number(entry));
  }
  return pids;
}

function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Resident set size of a process in bytes (VmRSS), null where unreadable. */
export function rssBytes(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib ? Number(kib) * 1_024 : null;
  } catch {
    return null;
  }
}

/**
 * A meter whose reading is net of what the same processes used while idle: `begin()` first
 * measures them for `idleMs` (nothing of the run started yet), and `end()` subtracts that rate
 * over the measured window. For PostgreSQL, whose WAL writer, checkpointer and other tenants'
 * work tick along whatever the run does.
 */
export class IdleSubtractedMeter {
  private idleCpuPerSecond = 0;
  private startedAt = 0;

  constructor(
    private readonly meter: CpuMeter,
    private readonly idleMs = 1_000,
  ) {}

  async begin(): Promise<void> {
    await this.meter.begin();
    const idleFrom = performance.now();
    await new Promise((resolve) => setTimeout(resolve, this.idleMs));
    const idle = await this.meter.end();
    this.idleCpuPerSecond = (idle ?? 0) / ((performance.now() - idleFrom) / 1_000);
    await this.meter.begin();
    this.startedAt = performance.now();
  }

  /** CPU share used while idle, in cores (0.05 = 5 % of one core). */
  get idleCores(): number {
    return this.idleCpuPerSecond;
  }

  async end(): Promise<number | null> {
    const total = await this.meter.end();
    if (total === null) return null;
    const seconds = (performance.now() - this.startedAt) / 1_000;
    return Math.max(0, total - this.idleCpuPerSecond * seconds);
  }
}
