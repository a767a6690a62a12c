/**
 * An agent asks for a handoff by ending its output with one line:
 *
 *     HANDOFF: {"agentId": "<uuid of an agent of the same tenant>", "message": "<optional>"}
 *
 * The line must be the last non-blank line. `message` is what the next agent receives; without
 * it, the next agent receives the output with the HANDOFF line removed.
 */
export const HANDOFF_PREFIX = 'HANDOFF:';

/** Longest handoff message passed on; the rest is cut (the execution input limit). */
export const MAX_HANDOFF_MESSAGE_CHARS = 100_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type HandoffDirective =
  { kind: 'handoff'; agentId: string; message: string } | { kind: 'invalid'; reason: string };

/** The directive in an agent's output; null when the output does not ask for a handoff. */
export function parseHandoffDirective(output: string): HandoffDirective | null {
  const lines = output.replace(/\s+$/, '').split(/\r?\n/);
  const last = lines[lines.length - 1]?.trim() ?? '';
  if (!last.startsWith(HANDOFF_PREFIX)) return null;
  let body: unknown;
  try {
    body = JSON.parse(last.slice(HANDOFF_PREFIX.length));
  } catch {
    return { kind: 'invalid', reason: 'the HANDOFF line is not followed by a JSON object' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { kind: 'invalid', reason: 'the HANDOFF line is not followed by a JSON object' };
  }
  const { agentId, message } = body as { agentId?: unknown; message?: unknown };
  if (typeof agentId !== 'string' || !UUID.test(agentId)) {
    return { kind: 'invalid', reason: 'agentId must be an agent id (uuid)' };
  }
  if (message !== undefined && typeof message !== 'string') {
    return { kind: 'invalid', reason: 'message must be a string' };
  }
  const text = (message ?? lines.slice(0, -1).join('\n')).trim();
  if (text.length === 0) return { kind: 'invalid', reason: 'the handoff has no message' };
  return { kind: 'handoff', agentId, message: text.slice(0, MAX_HANDOFF_MESSAGE_CHARS) };
}
