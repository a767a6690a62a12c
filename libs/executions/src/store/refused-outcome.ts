import { TerminalOutcome } from './terminal-outcome';

/** The error an execution ends with when PostgreSQL refused the outcome its attempt produced. */
export const OUTPUT_NOT_STORABLE = {
  code: 'output_not_storable',
  message:
    'the database refused the outcome of this attempt (for example a NUL character, which ' +
    'jsonb cannot hold); the model usage is kept',
};

/**
 * SQLSTATE class 22 (data exception): the statement's values are wrong, so running it again
 * cannot help, while the same outcome without its payload can be recorded.
 */
export function isDataException(error: unknown): boolean {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = candidate?.code ?? candidate?.driverError?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/** The outcome to record instead of one PostgreSQL refused: failed, no payload, same usage. */
export function outputNotStorable(outcome: TerminalOutcome): TerminalOutcome {
  return {
    ...outcome,
    status: 'failed',
    output: null,
    error: OUTPUT_NOT_STORABLE,
    hasFollowUpFlags: false,
  };
}
