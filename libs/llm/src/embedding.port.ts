/** One embedding request: texts in, one vector each, in order. */
export interface EmbeddingRequest {
  model: string;
  texts: string[];
  signal: AbortSignal;
}

export interface EmbeddingResult {
  /** One per input text, normalised to length 1. */
  vectors: number[][];
  promptTokens: number;
  model: string;
}

/** A provider's embeddings behind one interface. `embed` rejects only with an `LlmError`. */
export interface EmbeddingAdapter {
  embed(request: EmbeddingRequest): Promise<EmbeddingResult>;
}
