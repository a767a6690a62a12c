import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { auditFilterSql } from '@agentq/audit';
import { inTenantTransaction } from '@agentq/database';
import { DataSource } from 'typeorm';
import { Page } from '../common/newest-first-page';
import { rawNewestFirstPage } from '../common/raw-page';
import { AdminAuditLogQuery, AuditLogQuery } from './audit-log.query';
import { AuditRow } from './audit-log.view';

@Injectable()
export class AuditLogService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The tenant's entries, newest first (row-level security keeps it to the tenant). */
  list(tenantId: string, query: AuditLogQuery): Promise<Page<AuditRow>> {
    const { where, params } = auditFilterSql(query);
    return inTenantTransaction(this.dataSource, tenantId, (manager) =>
      rawNewestFirstPage<AuditRow>(
        (sql, values) => manager.query(sql, values),
        'audit_log',
        where,
        params,
        query,
      ),
    );
  }

  /** Every tenant's entries, for the admin token, through agentq_admin_audit_log(). */
  listAll(query: AdminAuditLogQuery): Promise<Page<AuditRow>> {
    const { where, params } = auditFilterSql(query, 2);
    return rawNewestFirstPage<AuditRow>(
      (sql, values) => this.dataSource.query(sql, values),
      'agentq_admin_audit_log()',
      `($1::uuid IS NULL OR tenant_id = $1) AND ${where}`,
      [query.tenantId ?? null, ...params],
      query,
    );
  }
}
