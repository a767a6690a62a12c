import { ChildProcess, spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { TestLog } from './test-log';

export const REPO_ROOT = join(__dirname, '..', '..');

export interface RunningProcess {
  child: ChildProcess;
  /** Everything it printed, also kept in `log` (not in the test run's output). */
  output(): string;
  log: TestLog;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a built entry point (dist/...) as a real process, collecting its output. */
export function startProcess(script: string, env: NodeJS.ProcessEnv): RunningProcess {
  const child = spawn(process.execPath, [join(REPO_ROOT, script)], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = new TestLog(basename(script, '.js'));
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk;
    log.append(chunk.toString());
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    log,
    output: () => output,
    async waitForOutput(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`process exited early: ${log.describe()}`);
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${pattern}: ${log.describe()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
