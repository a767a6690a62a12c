import { MAX_HANDOFF_MESSAGE_CHARS, parseHandoffDirective } from './handoff-directive';
import { HandoffRejection } from './session-event-types';

/** Where a handoff request came from. */
export type HandoffSource = 'handoffTo' | 'output';

export type HandoffRequest =
  | { kind: 'request'; agentId: string; message: string; source: HandoffSource }
  | { kind: 'rejected'; reason: HandoffRejection; detail: string; agentId?: string };

/**
 * The handoff a succeeded execution asks for, if any. The submission's `handoffTo` wins over a
 * HANDOFF line in the output; with `handoffTo` the next agent receives the whole output.
 */
export function requestedHandoff(
  handoffToAgentId: string | null,
  outputText: string,
): HandoffRequest | null {
  if (handoffToAgentId) {
    const message = outputText.trim().slice(0, MAX_HANDOFF_MESSAGE_CHARS);
    if (message.length === 0) {
      return {
        kind: 'rejected',
        reason: 'empty_message',
        detail: 'the output is empty',
        agentId: handoffToAgentId,
      };
    }
    return { kind: 'request', agentId: handoffToAgentId, message, source: 'handoffTo' };
  }
  const directive = parseHandoffDirective(outputText);
  if (!directive) return null;
  if (directive.kind === 'invalid') {
    return { kind: 'rejected', reason: 'invalid_directive', detail: directive.reason };
  }
  return {
    kind: 'request',
    agentId: directive.agentId,
    message: directive.message,
    source: 'output',
  };
}

export interface HandoffTarget {
  tenantId: string;
  status: string;
}

export interface HandoffOrigin {
  tenantId: string;
  /** Handoffs that led to the execution handing off. */
  handoffDepth: number;
  /** null when the execution is in no session. */
  sessionStatus: string | null;
}

/** Why the requested handoff may not happen, or null when it may. */
export function handoffRefusal(
  origin: HandoffOrigin,
  target: HandoffTarget | undefined,
  maxDepth: number,
): { reason: HandoffRejection; detail: string } | null {
  if (origin.handoffDepth + 1 > maxDepth) {
    return { reason: 'depth_limit', detail: `a chain may hand off at most ${maxDepth} time(s)` };
  }
  if (!target || target.tenantId !== origin.tenantId) {
    return { reason: 'agent_not_found', detail: 'no such agent' };
  }
  if (target.status !== 'active') {
    return { reason: 'agent_not_active', detail: `the agent is ${target.status}` };
  }
  if (origin.sessionStatus !== null && origin.sessionStatus !== 'active') {
    return { reason: 'session_not_active', detail: `the session is ${origin.sessionStatus}` };
  }
  return null;
}
