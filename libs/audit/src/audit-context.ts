import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is acting, for the audit log: set around each HTTP request by the API. */
export interface AuditActor {
  /** 'api_key' with the key's id, or 'admin' (the admin token). */
  type: 'api_key' | 'admin';
  apiKeyId: string | null;
  requestId: string | null;
  sourceAddress: string | null;
}

export const auditContext = new AsyncLocalStorage<AuditActor>();

/** The actor of the current request; a write outside any request is the system's own. */
export function currentAuditActor(): AuditActor | null {
  return auditContext.getStore() ?? null;
}
