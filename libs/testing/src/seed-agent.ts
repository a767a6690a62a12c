import { DataSource } from 'typeorm';

/**
 * Writes a tenant, an echo provider and one agent on it (as the owning role, past row-level
 * security): the rows an integration spec submits, claims and finishes executions against.
 */
export async function seedEchoAgent(
  owner: DataSource,
  model = 'm',
): Promise<{ tenantId: string; agentId: string }> {
  const [{ id: tenantId }] = await owner.query(
    `INSERT INTO tenants (name) VALUES ('t') RETURNING id`,
  );
  const [{ id: providerId }] = await owner.query(
    `INSERT INTO llm_providers (tenant_id, name, type) VALUES ($1, 'echo', 'echo') RETURNING id`,
    [tenantId],
  );
  const [{ id: agentId }] = await owner.query(
    `INSERT INTO agents (tenant_id, provider_id, name, role, llm_config)
     VALUES ($1, $2, 'a', 'r', $3) RETURNING id`,
    [tenantId, providerId, { model }],
  );
  return { tenantId, agentId };
}
