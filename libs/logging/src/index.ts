import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { AppConfig } from '@agentq/config';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** JSON lines in production (LOG_FORMAT=json), coloured text in a terminal. */
export function createAppLogger(log: AppConfig['log'], context?: string): ConsoleLogger {
  const logLevels = LEVELS.slice(0, LEVELS.indexOf(log.level) + 1);
  return new ConsoleLogger(context ?? 'agentq', {
    json: log.format === 'json',
    logLevels,
    colors: log.format === 'pretty',
  });
}
