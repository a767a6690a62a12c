import type OpenAI from 'openai';
import { OutboundFetch } from '@agentq/outbound';
import { classifyProviderError } from './llm-errors';
import { LlmProviderAdapter, LlmRequest, LlmResult } from './llm-provider.port';
import { openAiToolCalls, openAiToolParams, toOpenAiMessages } from './openai-tool-format';
import { openAiSdk } from './provider-sdks';
import { badProviderResponse, isObject, SDK_TIMEOUT_MS, tokenCount } from './sdk-call';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAiAdapterOptions {
  apiKey: string;
  baseUrl: string;
  /**
   * OpenAI itself wants `max_completion_tokens` (reasoning models refuse `max_tokens`); compatible
   * servers (Ollama, vLLM, ...) reliably understand only `max_tokens`.
   */
  maxTokensParameter: 'max_tokens' | 'max_completion_tokens';
  fetch: OutboundFetch;
}

/** OpenAI Chat Completions, and any server that speaks it at another base URL. */
export class OpenAiAdapter implements LlmProviderAdapter {
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiAdapterOptions) {
    this.client = new (openAiSdk().OpenAI)({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      // Explicit, so no OPENAI_* environment variable of this host applies to a tenant's account.
      organization: null,
      project: null,
      // agentq retries through BullMQ, and the caller's signal is the deadline.
      maxRetries: 0,
      timeout: SDK_TIMEOUT_MS,
      fetch: options.fetch,
    });
  }

  async complete(request: LlmRequest): Promise<LlmResult> {
    let completion: OpenAI.ChatCompletion;
    try {
      completion = request.onDelta
        ? await this.streamed(request, request.onDelta)
        : await this.client.chat.completions.create(this.body(request), {
            signal: request.signal,
          });
    } catch (error) {
      throw classifyProviderError(error, request.signal);
    }
    return toLlmResult(completion, request.model);
  }

  // The SDK assembles the chunks into the ChatCompletion the non-streamed call returns.
  private async streamed(
    request: LlmRequest,
    onDelta: (text: string) => void,
  ): Promise<OpenAI.ChatCompletion> {
    const stream = this.client.chat.completions.stream(
      { ...this.body(request), stream: true, stream_options: { include_usage: true } },
      { signal: request.signal },
    );
    for await (const chunk of stream) {
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) onDelta(delta);
    }
    return stream.finalChatCompletion();
  }

  private body(request: LlmRequest): OpenAI.ChatCompletionCreateParamsNonStreaming {
    return {
      model: request.model,
      messages: [
        ...(request.systemPrompt
          ? [{ role: 'system' as const, content: request.systemPrompt }]
          : []),
        ...toOpenAiMessages(request.messages),
      ],
      ...openAiToolParams(request.tools),
      temperature: request.temperature,
      top_p: request.topP,
      stop: request.stop?.length ? request.stop : undefined,
      [this.options.maxTokensParameter]: request.maxTokens,
      response_format: request.responseFormat && {
        type: 'json_schema',
        json_schema: {
          name: request.responseFormat.name,
          schema: request.responseFormat.schema,
          strict: request.responseFormat.strict,
        },
      },
    };
  }
}

// The SDK returns the body as text when the content type is not JSON, so check the shape.
function toLlmResult(completion: OpenAI.ChatCompletion, requestedModel: string): LlmResult {
  if (!isObject(completion)) throw badProviderResponse('a body that is not a JSON object');
  const choice = completion.choices?.[0];
  if (!isObject(choice) || !isObject(choice.message)) {
    throw badProviderResponse('a chat completion without choices');
  }
  const { content, refusal } = choice.message;
  return {
    text: content ?? refusal ?? '',
    promptTokens: tokenCount(completion.usage?.prompt_tokens),
    completionTokens: tokenCount(completion.usage?.completion_tokens),
    finishReason: choice.finish_reason ?? null,
    model:
      typeof completion.model === 'string' && completion.model ? completion.model : requestedModel,
    responseId: typeof completion.id === 'string' ? completion.id : null,
    toolCalls: openAiToolCalls(choice.message),
  };
}
