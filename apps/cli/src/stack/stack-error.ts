/** A start-up problem whose message says it all: printed without a stack trace. */
export class StackError extends Error {
  override readonly name = 'StackError';
}
