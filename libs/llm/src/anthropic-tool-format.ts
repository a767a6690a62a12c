import Anthropic from '@anthropic-ai/sdk';
import { ToolCall } from '@agentq/database';
import { hasToolCalls, LlmMessage, LlmTool } from './llm-provider.port';
import { isObject } from './sdk-call';

type MessageParam = Anthropic.MessageParam;

/**
 * Our conversation turns in Messages form: an assistant's calls are `tool_use` blocks, and the
 * outputs that answer them go back together as `tool_result` blocks of the next user turn.
 * System turns are left out (they join the system prompt).
 */
export function toAnthropicMessages(messages: readonly LlmMessage[]): MessageParam[] {
  const result: MessageParam[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    if (message.role === 'tool') {
      const block: Anthropic.ToolResultBlockParam = {
        type: 'tool_result',
        tool_use_id: message.toolCallId,
        content: message.content,
        ...(message.isError ? { is_error: true } : {}),
      };
      const last = result.at(-1);
      if (last?.role === 'user' && Array.isArray(last.content) && isToolResults(last.content)) {
        last.content.push(block);
      } else {
        result.push({ role: 'user', content: [block] });
      }
      continue;
    }
    if (hasToolCalls(message)) {
      result.push({
        role: 'assistant',
        content: [
          ...(message.content ? [{ type: 'text' as const, text: message.content }] : []),
          ...message.toolCalls.map((call) => ({
            type: 'tool_use' as const,
            id: call.id,
            name: call.name,
            input: isObject(call.arguments) ? call.arguments : {},
          })),
        ],
      });
      continue;
    }
    result.push({ role: message.role, content: message.content });
  }
  return result;
}

function isToolResults(
  content: Anthropic.ContentBlockParam[],
): content is Anthropic.ToolResultBlockParam[] {
  return content.every((block) => block.type === 'tool_result');
}

export function anthropicToolParams(
  tools: readonly LlmTool[] | undefined,
): Pick<Anthropic.MessageCreateParamsNonStreaming, 'tools'> {
  if (!tools?.length) return {};
  return {
    tools: tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: tool.parameters as Anthropic.Tool.InputSchema,
    })),
  };
}

export function anthropicToolCalls(content: readonly unknown[]): ToolCall[] {
  return content.flatMap((block): ToolCall[] =>
    isObject(block) &&
    block.type === 'tool_use' &&
    typeof block.id === 'string' &&
    typeof block.name === 'string'
      ? [{ id: block.id, name: block.name, arguments: block.input ?? {} }]
      : [],
  );
}
