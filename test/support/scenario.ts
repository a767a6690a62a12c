import { TestStack, TestTenant } from './test-stack';

export interface AgentSetup {
  tenant: TestTenant;
  providerId: string;
  agentId: string;
}

export interface AgentSetupOptions {
  provider?: Record<string, unknown>;
  agent?: Record<string, unknown>;
}

/** A tenant with one provider (echo unless told otherwise) and one active agent on it. */
export async function setUpAgent(
  stack: TestStack,
  options: AgentSetupOptions = {},
): Promise<AgentSetup> {
  const tenant = await stack.createTenant();
  const provider = await stack.http.post(
    '/v1/providers',
    { name: 'provider', type: 'echo', isDefault: true, ...options.provider },
    tenant.apiKey,
  );
  if (provider.status !== 201) throw new Error(`provider: ${JSON.stringify(provider.body)}`);
  const agent = await stack.http.post(
    '/v1/agents',
    {
      name: 'agent',
      role: 'Test agent',
      goal: 'Answer briefly',
      providerId: provider.body.id,
      llmConfig: { model: 'echo-1' },
      ...options.agent,
    },
    tenant.apiKey,
  );
  if (agent.status !== 201) throw new Error(`agent: ${JSON.stringify(agent.body)}`);
  return { tenant, providerId: provider.body.id, agentId: agent.body.id };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const TERMINAL = ['succeeded', 'failed', 'cancelled'];

/** Polls GET /v1/executions/:id until it is terminal. */
export function waitForTerminal(
  stack: TestStack,
  apiKey: string,
  executionId: string,
  timeoutMs?: number,
) {
  return waitFor(
    async () => {
      const answer = await stack.http.get(`/v1/executions/${executionId}`, apiKey);
      return TERMINAL.includes(answer.body.status) ? answer.body : undefined;
    },
    `execution ${executionId} to end`,
    timeoutMs,
  );
}
