import { DataSource, EntityManager } from 'typeorm';

/**
 * Runs `work` in one transaction with the tenant set for row-level security:
 * `set_config('agentq.tenant_id', tenantId, true)` is transaction-local, so it ends with the
 * COMMIT/ROLLBACK and never leaks to the pooled connection's next user. A caller already in
 * this tenant's transaction passes it as `within`, and the work joins it: one method serves
 * both, with no private twin that takes a manager.
 */
export function inTenantTransaction<T>(
  dataSource: DataSource,
  tenantId: string,
  work: (manager: EntityManager) => Promise<T>,
  within?: EntityManager,
): Promise<T> {
  if (within) {
    if (!within.queryRunner?.isTransactionActive) {
      throw new Error('inTenantTransaction: `within` is not in a transaction');
    }
    return work(within);
  }
  return dataSource.transaction(async (manager) => {
    await setTransactionTenant(manager, tenantId);
    return work(manager);
  });
}

/**
 * Sets (or switches) the tenant of the current transaction: a group commit that mixes tenants
 * calls it before each tenant's statements.
 */
export async function setTransactionTenant(
  manager: EntityManager,
  tenantId: string,
): Promise<void> {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(
      'setTransactionTenant needs a transaction: set_config(..., true) would not last',
    );
  }
  await manager.query(`SELECT set_config('agentq.tenant_id', $1, true)`, [tenantId]);
}
