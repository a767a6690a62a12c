import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, operations, paths } from './schema';

type Schemas = components['schemas'];
export type ExecutionView = Schemas['ExecutionView'];
export type ExecutionEventView = Schemas['ExecutionEventView'];
export type AgentView = Schemas['AgentView'];
export type ProviderView = Schemas['ProviderView'];
export type AgentStatsView = Schemas['AgentStatsView'];
export type ErrorResponse = Schemas['ErrorResponse'];

export type AgentqClient = Client<paths>;

export interface AgentqClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The API's base URL, for example http://localhost:3000. */
  baseUrl: string;
  /** A tenant API key (aq_...), or the admin token for /v1/admin and /v1/workers. */
  token?: string;
}

/**
 * A fully typed agentq client: openapi-fetch over the types openapi-typescript generated from
 * the API's OpenAPI document (`npm run client:generate`). Every path, parameter, body and
 * answer is checked by the compiler.
 */
export function createAgentqClient({ token, headers, ...options }: AgentqClientOptions) {
  return createClient<paths>({
    ...options,
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}
