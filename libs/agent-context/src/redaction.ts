/** What retention leaves in agent_executions.input once the payload is cleared. */
export const REDACTED_INPUT = { redacted: true } as const;

/** What retention leaves in agent_messages.content once the payload is cleared. */
export const REDACTED_MESSAGE_CONTENT = '[redacted]';

/** True for an input or output that retention has cleared. */
export function isRedacted(payload: unknown): boolean {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    (payload as { redacted?: unknown }).redacted === true
  );
}
