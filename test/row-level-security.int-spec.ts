import { createDataSource, inTenantTransaction } from '@agentq/database';
import { createTestDatabase, TestDatabase } from '@agentq/testing';
import { DataSource } from 'typeorm';

const APP_ROLE = 'agentq_app';

// The second wall: with no tenant set, agentq_app sees and writes nothing.
describe('row-level security', () => {
  let database: TestDatabase;
  let owner: DataSource;
  let app: DataSource;
  let tenantTables: string[];
  const tenants: { a: string; b: string } = { a: '', b: '' };

  beforeAll(async () => {
    database = await createTestDatabase();
    owner = createDataSource({ url: database.url, poolSize: 1 });
    // One connection: every transaction below reuses it, as a busy pool would.
    app = createDataSource({ url: database.url, poolSize: 1, role: APP_ROLE });
    await Promise.all([owner.initialize(), app.initialize()]);

    const rows: { table_name: string }[] = await owner.query(
      `SELECT DISTINCT table_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name`,
    );
    tenantTables = ['tenants', ...rows.map((row) => row.table_name)];

    for (const key of ['a', 'b'] as const) {
      const [{ id }] = await owner.query(`INSERT INTO tenants (name) VALUES ($1) RETURNING id`, [
        key,
      ]);
      tenants[key] = id;
      const [{ id: providerId }] = await owner.query(
        `INSERT INTO llm_providers (tenant_id, name, type) VALUES ($1, 'p', 'echo') RETURNING id`,
        [id],
      );
      const [{ id: agentId }] = await owner.query(
        `INSERT INTO agents (tenant_id, name, role, provider_id, llm_config)
           VALUES ($1, 'agent', 'helper', $2, '{"model":"echo"}') RETURNING id`,
        [id, providerId],
      );
      await owner.query(
        `INSERT INTO api_keys (tenant_id, name, prefix, key_hash) VALUES ($1, 'k', 'aq_x', $2)`,
        [id, `hash-${key}`],
      );
      await owner.query(
        `INSERT INTO agent_memories (tenant_id, agent_id, type, content, importance)
           VALUES ($1, $2, 'learning', 'remember', 5)`,
        [id, agentId],
      );
    }
  });

  afterAll(async () => {
    await Promise.all([owner?.destroy(), app?.destroy()]);
    await database?.drop();
  });

  it('runs the application as a role that is not the owner, superuser or BYPASSRLS', async () => {
    const [who] = await app.query(
      `SELECT current_user AS role, r.rolsuper, r.rolbypassrls
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(who).toEqual({ role: APP_ROLE, rolsuper: false, rolbypassrls: false });
    const owners: { tableowner: string }[] = await owner.query(
      `SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`,
    );
    expect(owners.map((row) => row.tableowner)).not.toContain(APP_ROLE);
  });

  it('forces row-level security with a policy on every tenant table', async () => {
    expect(tenantTables.length).toBeGreaterThanOrEqual(11);
    const flags: { relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }[] =
      await owner.query(
        `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
          WHERE relnamespace = 'public'::regnamespace AND relname = ANY($1) ORDER BY relname`,
        [tenantTables],
      );
    expect(flags).toEqual(
      [...tenantTables]
        .sort()
        .map((relname) => ({ relname, relrowsecurity: true, relforcerowsecurity: true })),
    );
    const policies: { tablename: string }[] = await owner.query(
      `SELECT DISTINCT tablename FROM pg_policies WHERE schemaname = 'public' ORDER BY tablename`,
    );
    expect(policies.map((row) => row.tablename)).toEqual([...tenantTables].sort());
  });

  it('shows no rows of any tenant table when no tenant is set', async () => {
    for (const table of ['tenants', 'api_keys', 'llm_providers', 'agents', 'agent_memories']) {
      const [{ present }] = await owner.query(`SELECT count(*)::int AS present FROM ${table}`);
      expect({ table, present: present > 0 }).toEqual({ table, present: true });
    }
    for (const table of tenantTables) {
      const [{ visible }] = await app.query(`SELECT count(*)::int AS visible FROM ${table}`);
      expect({ table, visible }).toEqual({ table, visible: 0 });
    }
  });

  it('refuses writes when no tenant is set', async () => {
    await expect(app.query(`INSERT INTO tenants (name) VALUES ('sneaky')`)).rejects.toThrow(
      /row-level security/,
    );
    await expect(
      app.query(`INSERT INTO llm_providers (tenant_id, name, type) VALUES ($1, 'x', 'echo')`, [
        tenants.a,
      ]),
    ).rejects.toThrow(/row-level security/);
    const [, updated] = await app.query(`UPDATE agents SET name = 'taken'`);
    expect(updated).toBe(0);
  });

  it("shows only the set tenant's rows, and refuses writes for another tenant", async () => {
    await inTenantTransaction(app, tenants.a, async (manager) => {
      const rows: { tenant_id: string }[] = await manager.query(
        `SELECT tenant_id FROM agents UNION ALL SELECT tenant_id FROM agent_memories`,
      );
      expect(rows.length).toBe(2);
      expect(rows.every((row) => row.tenant_id === tenants.a)).toBe(true);
      const visibleTenants: { id: string }[] = await manager.query(`SELECT id FROM tenants`);
      expect(visibleTenants).toEqual([{ id: tenants.a }]);
    });
    await expect(
      inTenantTransaction(app, tenants.a, (manager) =>
        manager.query(
          `INSERT INTO llm_providers (tenant_id, name, type) VALUES ($1, 'x', 'echo')`,
          [tenants.b],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('does not leak the tenant to the next transaction on the same pooled connection', async () => {
    const pid = async () =>
      ((await app.query(`SELECT pg_backend_pid() AS pid`)) as { pid: number }[])[0].pid;
    const before = await pid();
    await inTenantTransaction(app, tenants.a, async (manager) => {
      const [{ tenant }] = await manager.query(`SELECT agentq_current_tenant() AS tenant`);
      expect(tenant).toBe(tenants.a);
    });
    expect(await pid()).toBe(before);
    const [{ tenant }] = await app.query(`SELECT agentq_current_tenant() AS tenant`);
    expect(tenant).toBeNull();
    const [{ visible }] = await app.query(`SELECT count(*)::int AS visible FROM agents`);
    expect(visible).toBe(0);
  });

  it('lets the app authenticate a key only through the narrow SECURITY DEFINER function', async () => {
    const found = await app.query(`SELECT * FROM agentq_authenticate_api_key('hash-b')`);
    expect(found).toEqual([expect.objectContaining({ tenant_id: tenants.b })]);
    expect(await app.query(`SELECT * FROM agentq_authenticate_api_key('nope')`)).toEqual([]);
    const [{ visible }] = await app.query(`SELECT count(*)::int AS visible FROM api_keys`);
    expect(visible).toBe(0);
  });

  it('authenticates without a write; last_used_at goes through its own batch function', async () => {
    const lastUsed = async () =>
      (await owner.query(`SELECT last_used_at FROM api_keys WHERE key_hash = 'hash-a'`))[0]
        .last_used_at as Date | null;
    const [{ id }] = await app.query(`SELECT id FROM agentq_authenticate_api_key('hash-a')`);
    expect(await lastUsed()).toBeNull();

    const usedAt = new Date(Date.now() - 60_000);
    await app.query(`SELECT agentq_record_api_key_use($1::uuid[], $2::timestamptz[])`, [
      [id],
      [usedAt.toISOString()],
    ]);
    expect(await lastUsed()).toEqual(usedAt);
    // An older use never replaces a newer one.
    await app.query(`SELECT agentq_record_api_key_use($1::uuid[], $2::timestamptz[])`, [
      [id],
      [new Date(usedAt.getTime() - 1_000).toISOString()],
    ]);
    expect(await lastUsed()).toEqual(usedAt);
  });
});
