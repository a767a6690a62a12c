import { DevTenant } from './dev-secrets';
import { StackError } from './stack-error';

export const DEV_TENANT_NAME = 'development';

interface CreatedTenant {
  id: string;
  name: string;
  apiKey: { id: string; prefix: string; key: string };
}

async function describeAnswer(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  return `${response.status} ${text.slice(0, 300)}`.trim();
}

// False only when the API says the key is not (or no longer) valid, e.g. a new database.
async function stillValid(apiUrl: string, tenant: DevTenant): Promise<boolean> {
  const response = await fetch(`${apiUrl}/v1/agents?limit=1`, {
    headers: { authorization: `Bearer ${tenant.apiKey}` },
  });
  await response.body?.cancel();
  return response.status !== 401;
}

/**
 * The development tenant: the one remembered in dev-secrets.json while its key still works,
 * else a new one created through the public admin API, as any operator would.
 */
export async function ensureDevTenant(
  apiUrl: string,
  adminToken: string,
  remembered: DevTenant | undefined,
): Promise<{ tenant: DevTenant; created: boolean }> {
  if (remembered && (await stillValid(apiUrl, remembered))) {
    return { tenant: remembered, created: false };
  }
  const response = await fetch(`${apiUrl}/v1/admin/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: DEV_TENANT_NAME }),
  });
  if (response.status !== 201) {
    throw new StackError(`POST /v1/admin/tenants answered ${await describeAnswer(response)}`);
  }
  const body = (await response.json()) as CreatedTenant;
  return {
    created: true,
    tenant: {
      id: body.id,
      name: body.name,
      apiKeyId: body.apiKey.id,
      apiKeyPrefix: body.apiKey.prefix,
      apiKey: body.apiKey.key,
    },
  };
}

/** A one-time link that signs a browser in to the console as the development tenant. */
export async function consoleLoginLink(apiUrl: string, tenant: DevTenant): Promise<string> {
  const response = await fetch(`${apiUrl}/v1/console/login-links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (response.status !== 201) {
    throw new StackError(`POST /v1/console/login-links answered ${await describeAnswer(response)}`);
  }
  return ((await response.json()) as { url: string }).url;
}
