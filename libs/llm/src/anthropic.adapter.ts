import type Anthropic from '@anthropic-ai/sdk';
import { OutboundFetch } from '@agentq/outbound';
import { classifyProviderError } from './llm-errors';
import {
  anthropicToolCalls,
  anthropicToolParams,
  toAnthropicMessages,
} from './anthropic-tool-format';
import { LlmProviderAdapter, LlmRequest, LlmResult } from './llm-provider.port';
import { anthropicSdk } from './provider-sdks';
import { badProviderResponse, isObject, SDK_TIMEOUT_MS, tokenCount } from './sdk-call';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** The Messages API requires max_tokens; this applies when the agent sets none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

export interface AnthropicAdapterOptions {
  apiKey: string;
  baseUrl: string;
  fetch: OutboundFetch;
}

/** Anthropic Messages. */
export class AnthropicAdapter implements LlmProviderAdapter {
  private readonly client: Anthropic;

  constructor(options: AnthropicAdapterOptions) {
    this.client = new (anthropicSdk().Anthropic)({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      // agentq retries through BullMQ, and the caller's signal is the deadline.
      maxRetries: 0,
      timeout: SDK_TIMEOUT_MS,
      fetch: options.fetch,
    });
  }

  async complete(request: LlmRequest): Promise<LlmResult> {
    let message: Anthropic.Message;
    try {
      message = request.onDelta
        ? await this.streamed(request, request.onDelta)
        : await this.client.messages.create(toMessageParams(request), {
            signal: request.signal,
          });
    } catch (error) {
      throw classifyProviderError(error, request.signal);
    }
    return toLlmResult(message, request.model);
  }

  // The SDK assembles the events into the Message the non-streamed call returns.
  private async streamed(
    request: LlmRequest,
    onDelta: (text: string) => void,
  ): Promise<Anthropic.Message> {
    const stream = this.client.messages.stream(toMessageParams(request), {
      signal: request.signal,
    });
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        onDelta(event.delta.text);
      }
    }
    return stream.finalMessage();
  }
}

// System turns join the system prompt: the Messages API has no system role in `messages`.
// temperature and topP are not sent: the API version this SDK speaks (2026-10-21) refuses
// sampling parameters on every model.
function toMessageParams(request: LlmRequest): Anthropic.MessageCreateParamsNonStreaming {
  const system = [request.systemPrompt];
  for (const message of request.messages) {
    if (message.role === 'system') system.push(message.content);
  }
  const systemPrompt = system.filter(Boolean).join('\n\n');
  return {
    model: request.model,
    max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    system: systemPrompt || undefined,
    messages: toAnthropicMessages(request.messages),
    ...anthropicToolParams(request.tools),
    stop_sequences: request.stop?.length ? request.stop : undefined,
    output_config: request.responseFormat && {
      format: { type: 'json_schema', schema: request.responseFormat.schema },
    },
  };
}

// The SDK returns the body as text when the content type is not JSON, so check the shape.
function toLlmResult(message: Anthropic.Message, requestedModel: string): LlmResult {
  if (!isObject(message) || !Array.isArray(message.content)) {
    throw badProviderResponse('a body that is not a message');
  }
  const text = message.content
    .flatMap((block) => (isObject(block) && block.type === 'text' ? [block.text] : []))
    .join('');
  return {
    text,
    promptTokens: promptTokens(message.usage),
    completionTokens: tokenCount(message.usage?.output_tokens),
    finishReason: message.stop_reason ?? null,
    model: typeof message.model === 'string' && message.model ? message.model : requestedModel,
    responseId: typeof message.id === 'string' ? message.id : null,
    toolCalls: anthropicToolCalls(message.content),
  };
}

// input_tokens leaves out the cached part of the prompt; count all of it, as OpenAI does.
function promptTokens(usage: Anthropic.Usage | undefined): number {
  return (
    tokenCount(usage?.input_tokens) +
    tokenCount(usage?.cache_creation_input_tokens) +
    tokenCount(usage?.cache_read_input_tokens)
  );
}
