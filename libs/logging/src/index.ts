import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { AppConfig } from '@agentq/config';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

// Nest's bootstrap chatter: a line per module initialised and per route mapped (about sixty),
// useful when debugging routing, noise at every start. Logged at `debug` instead of `log`.
const BOOTSTRAP_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

class AppLogger extends ConsoleLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && BOOTSTRAP_CONTEXTS.has(context)) {
      super.debug(message, ...optionalParams);
      return;
    }
    super.log(message, ...optionalParams);
  }
}

/** JSON lines in production (LOG_FORMAT=json), coloured text in a terminal. */
export function createAppLogger(log: AppConfig['log'], context?: string): ConsoleLogger {
  const logLevels = LEVELS.slice(0, LEVELS.indexOf(log.level) + 1);
  return new AppLogger(context ?? 'agentq', {
    json: log.format === 'json',
    logLevels,
    colors: log.format === 'pretty',
  });
}
export { formatDuration } from './format-duration';
