import { LlmError } from './llm-errors';
import { LlmProviderAdapter } from './llm-provider.port';

const REDACTED = '[redacted]';

/**
 * Some providers quote the credential back in their error messages. Those messages end up in
 * execution rows and logs, so the adapter's errors leave with the key (and its first 8+
 * characters, a common "partial" echo) replaced.
 */
export function redactSecretInErrors(
  adapter: LlmProviderAdapter,
  secret: string | null,
): LlmProviderAdapter {
  if (!secret) return adapter;
  const fragments = [secret, ...(secret.length >= 16 ? [secret.slice(0, secret.length - 4)] : [])];
  const redact = (text: string) =>
    fragments.reduce((out, fragment) => out.split(fragment).join(REDACTED), text);
  return {
    async complete(request) {
      try {
        return await adapter.complete(request);
      } catch (error) {
        if (!(error instanceof LlmError) || !fragments.some((f) => error.message.includes(f)))
          throw error;
        throw new LlmError({
          kind: error.kind,
          code: error.code,
          message: redact(error.message),
          status: error.status,
          retryAfterMs: error.retryAfterMs,
        });
      }
    },
  };
}
