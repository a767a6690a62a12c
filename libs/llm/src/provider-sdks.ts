import type * as AnthropicSdk from '@anthropic-ai/sdk';
import type * as OpenAiSdk from 'openai';

// The SDKs load when a process first calls a provider or classifies a provider's error: loading
// both is about a tenth of a process's start-up CPU, and many processes never call either (the
// API; a worker whose agents use the echo provider).
let anthropic: typeof AnthropicSdk | undefined;
let openAi: typeof OpenAiSdk | undefined;

/* eslint-disable @typescript-eslint/no-require-imports -- a lazy load has no import form */
export const anthropicSdk = () =>
  (anthropic ??= require('@anthropic-ai/sdk') as typeof AnthropicSdk);
export const openAiSdk = () => (openAi ??= require('openai') as typeof OpenAiSdk);
/* eslint-enable @typescript-eslint/no-require-imports */
