import { createAgentqClient, type AgentqClient } from '@agentq/client';

// The console talks to the API only through the typed client, signed in with the session
// cookie (same origin, httpOnly): no key is ever in the page. Writes carry the session's CSRF
// token, which lives in memory only (docs/security.md, "The console").
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createConsoleClient(baseUrl = window.location.origin): AgentqClient {
  const client = createAgentqClient({ baseUrl, credentials: 'same-origin' });
  client.use({
    onRequest({ request }) {
      if (!READS.has(request.method) && csrfToken) request.headers.set('x-agentq-csrf', csrfToken);
      return request;
    },
  });
  return client;
}

export const api = createConsoleClient();

/** The message of an error answer, or of whatever went wrong on the way. */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'error' in error) {
    const body = (error as { error?: { code?: string; message?: string } }).error;
    if (body?.message) return body.code ? `${body.message} (${body.code})` : body.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The body of an answer, or a thrown Error carrying the API's message and the HTTP status. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined) return result.data;
  const failure = new Error(errorMessage(result.error)) as Error & { status?: number };
  failure.status = result.response.status;
  throw failure;
}
