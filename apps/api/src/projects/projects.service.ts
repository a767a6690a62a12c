import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { recordAudit } from '@agentq/audit';
import { inTenantTransaction } from '@agentq/database';
import { planExecutionReads } from '@agentq/executions';
import { readProjectUsage } from '@agentq/plans';
import { DataSource, EntityManager } from 'typeorm';
import { ApiError, NotFoundError, ValidationFailedError } from '../common/api-errors';
import { PageQuery } from '../common/page.query';
import { rawNewestFirstPage } from '../common/raw-page';
import { CreateProjectDto, UpdateProjectDto } from './dto/project.dto';
import { ProjectPage, ProjectRow, ProjectView, toProjectView } from './project.view';

const COLUMNS = 'id, name, description, metadata, created_at, updated_at';

@Injectable()
export class ProjectsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  create(tenantId: string, body: CreateProjectDto): Promise<ProjectView> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const [row]: ProjectRow[] = await manager.query(
        `INSERT INTO projects (tenant_id, name, description, metadata) VALUES ($1, $2, $3, $4)
         RETURNING ${COLUMNS}`,
        [tenantId, body.name, body.description ?? null, body.metadata ?? {}],
      );
      await recordAudit(manager, {
        tenantId,
        action: 'project.created',
        targetType: 'project',
        targetId: row.id,
        before: null,
        after: { ...row },
      });
      return this.view(manager, [row]).then(([view]) => view);
    });
  }

  list(tenantId: string, query: PageQuery): Promise<ProjectPage> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const page = await rawNewestFirstPage<ProjectRow>(
        (sql, params) => manager.query(sql, params),
        'projects',
        'true',
        [],
        query,
      ).catch((error: unknown) => {
        if (error instanceof ApiError) throw error;
        throw new ValidationFailedError([
          { field: 'cursor', message: 'not a cursor of this list' },
        ]);
      });
      return { data: await this.view(manager, page.data), nextCursor: page.nextCursor };
    });
  }

  get(tenantId: string, id: string): Promise<ProjectView> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const rows: ProjectRow[] = await manager.query(
        `SELECT ${COLUMNS} FROM projects WHERE id = $1`,
        [id],
      );
      if (rows.length === 0) throw new NotFoundError('project');
      return (await this.view(manager, rows))[0];
    });
  }

  update(tenantId: string, id: string, changes: UpdateProjectDto): Promise<ProjectView> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const [before]: ProjectRow[] = await manager.query(
        `SELECT ${COLUMNS} FROM projects WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const rows: ProjectRow[] = await manager.query(
        `WITH updated AS (
           UPDATE projects
              SET name = COALESCE($2, name),
                  description = CASE WHEN $3::boolean THEN $4 ELSE description END,
                  metadata = COALESCE($5, metadata), updated_at = now()
            WHERE id = $1 RETURNING ${COLUMNS})
         SELECT * FROM updated`,
        [
          id,
          changes.name ?? null,
          changes.description !== undefined,
          changes.description ?? null,
          changes.metadata ?? null,
        ],
      );
      if (rows.length === 0) throw new NotFoundError('project');
      await recordAudit(manager, {
        tenantId,
        action: 'project.updated',
        targetType: 'project',
        targetId: id,
        before: { ...before },
        after: { ...rows[0] },
      });
      return (await this.view(manager, rows))[0];
    });
  }

  /** Its plans stay, without a project. */
  async remove(tenantId: string, id: string): Promise<void> {
    const rows: ProjectRow[] = await inTenantTransaction(
      this.dataSource,
      tenantId,
      async (manager) => {
        const gone: ProjectRow[] = await manager.query(
          `WITH gone AS (DELETE FROM projects WHERE id = $1 RETURNING ${COLUMNS})
           SELECT * FROM gone`,
          [id],
        );
        if (gone.length > 0) {
          await recordAudit(manager, {
            tenantId,
            action: 'project.deleted',
            targetType: 'project',
            targetId: id,
            before: { ...gone[0] },
            after: null,
          });
        }
        return gone;
      },
    );
    if (rows.length === 0) throw new NotFoundError('project');
  }

  private async view(manager: EntityManager, rows: ProjectRow[]): Promise<ProjectView[]> {
    const usage = await readProjectUsage(
      manager,
      rows.map((row) => row.id),
      planExecutionReads,
    );
    return rows.map((row) => toProjectView(row, usage.get(row.id)!));
  }
}
