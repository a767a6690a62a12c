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

export interface DestinationChange {
  current: { type: ProviderType; baseUrl: string | null; hasApiKey: boolean };
  changes: { type?: ProviderType; baseUrl?: string | null; apiKey?: string | null };
}

/**
 * A stored key goes only where it was given for: moving a provider that holds one to another
 * baseUrl or type needs the apiKey in the same request (a new key, or null to drop it).
 */
export function storedKeyProblems({ current, changes }: DestinationChange): FieldError[] {
  const moves =
    (changes.baseUrl !== undefined && changes.baseUrl !== current.baseUrl) ||
    (changes.type !== undefined && changes.type !== current.type);
  if (!moves || !current.hasApiKey || changes.apiKey !== undefined) return [];
  return [
    {
      field: 'apiKey',
      message:
        'changing baseUrl or type needs apiKey in the same request (or apiKey: null to remove the stored key)',
    },
  ];
}

const MIN_LENGTH_TO_SHOW_LAST4 = 16;

/** The last four characters, unless the key is so short that they would give much of it away. */
export function apiKeyLast4(apiKey: string): string | null {
  return apiKey.length >= MIN_LENGTH_TO_SHOW_LAST4 ? apiKey.slice(-4) : null;
}
