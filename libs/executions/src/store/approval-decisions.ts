import { ToolCall } from '@agentq/database';

/** A person's decision on one tool call awaiting approval. */
export interface ApprovalDecision {
  toolCallId: string;
  approve: boolean;
  reason?: string;
}

/** Every call awaiting approval decided exactly once, and nothing else: else what is wrong. */
export function approvalDecisionsProblem(
  awaiting: readonly ToolCall[],
  decisions: readonly ApprovalDecision[],
): string | null {
  const ids = new Set(awaiting.map((call) => call.id));
  const seen = new Set<string>();
  for (const { toolCallId } of decisions) {
    if (!ids.has(toolCallId)) return `${toolCallId} is not awaiting approval`;
    if (seen.has(toolCallId)) return `${toolCallId} is decided more than once`;
    seen.add(toolCallId);
  }
  const missing = [...ids].filter((id) => !seen.has(id));
  return missing.length > 0 ? `no decision for tool call(s): ${missing.join(', ')}` : null;
}

/** What the model is told of a denied call, as the tool's answer. */
export function deniedOutput(decision: ApprovalDecision): string {
  return `error: the call was denied by a person${decision.reason ? `: ${decision.reason}` : ''}`;
}

/** The same decision for every call awaiting approval (a link's one button). */
export function decideAll(
  awaiting: readonly ToolCall[],
  approve: boolean,
  reason?: string,
): ApprovalDecision[] {
  return awaiting.map((call) => ({ toolCallId: call.id, approve, ...(reason ? { reason } : {}) }));
}

/** Where a waitpoint's token completes it, without an API key. */
export function waitpointUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/v1/waitpoints/${token}/complete`;
}
