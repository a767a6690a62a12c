import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { inspect } from 'node:util';
import { AppConfig } from '@agentq/config';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
let logsOpened = 0;

/**
 * What the processes under test print (the expected WARN lines of a fault, a boot's chatter),
 * kept in a file of the run instead of the test run's output; failures name the file.
 */
export class TestLog {
  readonly path: string;

  constructor(name: string) {
    const directory = join(tmpdir(), 'agentq-test-logs', process.env.AGENTQ_TEST_RUN_ID ?? 'local');
    mkdirSync(directory, { recursive: true });
    const testFile = basename(expect.getState().testPath ?? 'jest', '.ts');
    logsOpened += 1;
    this.path = join(directory, `${testFile}.${process.pid}.${logsOpened}.${name}.log`);
  }

  append(text: string): void {
    appendFileSync(this.path, text);
  }

  text(): string {
    return existsSync(this.path) ? readFileSync(this.path, 'utf8') : '';
  }

  /** For a failure message: where the whole output is, and its last lines. */
  describe(lines = 30): string {
    const tail = this.text().trimEnd().split('\n').slice(-lines).join('\n');
    return `output in ${this.path}; its last ${lines} lines:\n${tail}`;
  }
}

/** The apps' logger for in-process stacks: the configured levels, written to a TestLog. */
export class TestLogLogger extends ConsoleLogger {
  constructor(
    private readonly destination: TestLog,
    level: AppConfig['log']['level'],
  ) {
    super('agentq', { logLevels: LEVELS.slice(0, LEVELS.indexOf(level) + 1), colors: false });
  }

  protected override printMessages(
    messages: unknown[],
    context = '',
    logLevel: LogLevel = 'log',
    _stream?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    for (const message of messages) {
      const text = typeof message === 'string' ? message : inspect(message);
      const stack = errorStack ? `\n${String(errorStack)}` : '';
      const level = logLevel.toUpperCase();
      this.destination.append(
        `${new Date().toISOString()} ${level} [${context}] ${text}${stack}\n`,
      );
    }
  }
}
