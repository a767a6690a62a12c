import { ProviderType } from '@agentq/database';
import { FieldError } from '../common/api-errors';

export interface ProviderConnection {
  type: ProviderType;
  hasApiKey: boolean;
  baseUrl: string | null;
}

/** What each provider type needs to be callable: openai and anthropic a key, a compatible server its URL. */
export function connectionProblems({ type, hasApiKey, baseUrl }: ProviderConnection): FieldError[] {
  if ((type === 'openai' || type === 'anthropic') && !hasApiKey) {
    return [{ field: 'apiKey', message: `an ${type} provider needs an apiKey` }];
  }
  if (type === 'openai-compatible' && !baseUrl) {
    return [{ field: 'baseUrl', message: 'an openai-compatible provider needs a baseUrl' }];
  }
  return [];
}

const MIN_LENGTH_TO_SHOW_LAST4 = 16;

/** The last four characters, unless the key is so short that they would give much of it away. */
export function apiKeyLast4(apiKey: string): string | null {
  return apiKey.length >= MIN_LENGTH_TO_SHOW_LAST4 ? apiKey.slice(-4) : null;
}
