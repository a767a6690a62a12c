import type OpenAI from 'openai';
import { OutboundClient } from '@agentq/outbound';
import { echoEmbedding, normalise } from './echo-embedding';
import { EmbeddingAdapter, EmbeddingRequest, EmbeddingResult } from './embedding.port';
import { LlmError, classifyProviderError } from './llm-errors';
import { ProviderConnection } from './llm-provider.port';
import { openAiSdk } from './provider-sdks';
import { OPENAI_DEFAULT_BASE_URL } from './openai.adapter';
import { badProviderResponse, SDK_TIMEOUT_MS, tokenCount } from './sdk-call';
import { countTextTokens } from './token-count';

/** The default embedding model by provider type, when the tenant names none. */
export function defaultEmbeddingModel(type: ProviderConnection['type']): string | null {
  switch (type) {
    case 'echo':
      return 'echo-embedding';
    case 'openai':
      return 'text-embedding-3-small';
    case 'openai-compatible':
      return 'nomic-embed-text';
    case 'anthropic':
      return null;
  }
}

/** The echo provider's local embedding: deterministic, offline, tokens counted for real. */
export class EchoEmbeddingAdapter implements EmbeddingAdapter {
  async embed(request: EmbeddingRequest): Promise<EmbeddingResult> {
    return {
      vectors: request.texts.map((text) => echoEmbedding(text)),
      promptTokens: request.texts.reduce((sum, text) => sum + countTextTokens(text), 0),
      model: request.model,
    };
  }
}

/** OpenAI `/v1/embeddings`, and every server speaking it (Ollama, vLLM, LM Studio). */
export class OpenAiEmbeddingAdapter implements EmbeddingAdapter {
  private readonly client: OpenAI;

  constructor(options: { apiKey: string; baseUrl: string; fetch: OutboundClient['fetch'] }) {
    this.client = new (openAiSdk().OpenAI)({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: SDK_TIMEOUT_MS,
      fetch: options.fetch,
    });
  }

  async embed(request: EmbeddingRequest): Promise<EmbeddingResult> {
    let response: OpenAI.CreateEmbeddingResponse;
    try {
      response = await this.client.embeddings.create(
        { model: request.model, input: request.texts, encoding_format: 'float' },
        { signal: request.signal },
      );
    } catch (error) {
      throw classifyProviderError(error, request.signal);
    }
    const data = Array.isArray(response?.data) ? response.data : [];
    if (data.length !== request.texts.length) {
      throw badProviderResponse(`asked for ${request.texts.length} embeddings, got ${data.length}`);
    }
    const vectors = [...data]
      .sort((a, b) => a.index - b.index)
      .map((item) => {
        if (!Array.isArray(item.embedding) || item.embedding.length === 0) {
          throw badProviderResponse('an embedding is not a list of numbers');
        }
        return normalise(item.embedding.map(Number));
      });
    return {
      vectors,
      promptTokens: tokenCount(response.usage?.prompt_tokens),
      model: response.model || request.model,
    };
  }
}

/** The embedding adapter for a provider connection; anthropic has no embeddings API. */
export function createEmbeddingAdapter(
  connection: ProviderConnection,
  outbound: OutboundClient,
): EmbeddingAdapter {
  switch (connection.type) {
    case 'echo':
      return new EchoEmbeddingAdapter();
    case 'openai':
      if (!connection.apiKey) throw misconfigured('an openai provider needs an API key');
      return new OpenAiEmbeddingAdapter({
        apiKey: connection.apiKey,
        baseUrl: connection.baseUrl ?? OPENAI_DEFAULT_BASE_URL,
        fetch: outbound.fetch,
      });
    case 'openai-compatible':
      if (!connection.baseUrl)
        throw misconfigured('an openai-compatible provider needs a base URL');
      return new OpenAiEmbeddingAdapter({
        apiKey: connection.apiKey ?? 'no-key',
        baseUrl: connection.baseUrl,
        fetch: outbound.fetch,
      });
    case 'anthropic':
      throw misconfigured('anthropic has no embeddings API: choose another embedding provider');
  }
}

function misconfigured(message: string): LlmError {
  return new LlmError({ kind: 'permanent', code: 'provider_misconfigured', message });
}
