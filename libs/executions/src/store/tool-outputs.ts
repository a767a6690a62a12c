import { ToolCall } from '@agentq/database';

export interface ToolOutput {
  toolCallId: string;
  output: string;
}

/** Every pending tool call answered exactly once, and nothing else: else what is wrong. */
export function pendingToolOutputsProblem(
  pending: readonly ToolCall[],
  outputs: readonly ToolOutput[],
): string | null {
  const pendingIds = new Set(pending.map((call) => call.id));
  const seen = new Set<string>();
  for (const { toolCallId } of outputs) {
    if (!pendingIds.has(toolCallId)) return `${toolCallId} is not a pending tool call`;
    if (seen.has(toolCallId)) return `${toolCallId} is answered more than once`;
    seen.add(toolCallId);
  }
  const missing = [...pendingIds].filter((id) => !seen.has(id));
  return missing.length > 0 ? `no output for pending tool call(s): ${missing.join(', ')}` : null;
}
