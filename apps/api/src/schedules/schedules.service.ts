import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { recordAudit } from '@agentq/audit';
import { inTenantTransaction } from '@agentq/database';
import {
  attributionFromRecord,
  attributionOf,
  ExecutionAttribution,
  SubmittedExecution,
} from '@agentq/executions';
import {
  assertValidCron,
  nextFireTime,
  readScheduleFirings,
  recordManualFiring,
  ScheduleCronError,
} from '@agentq/schedules';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundError, UnprocessableError, ValidationFailedError } from '../common/api-errors';
import { Page } from '../common/newest-first-page';
import { DEFAULT_PAGE_SIZE, PageQuery } from '../common/page.query';
import { rawNewestFirstPage } from '../common/raw-page';
import { ExecutionSubmissions } from '../executions/execution-submission.service';
import { CreateScheduleDto } from './dto/create-schedule.dto';
import { ListSchedulesQuery } from './dto/list-schedules.query';
import { UpdateScheduleDto } from './dto/update-schedule.dto';
import { FiringRow, ScheduleRow } from './schedule.view';

const INVALID_TEXT_REPRESENTATION = '22P02';

const INSERT_SQL = `
INSERT INTO agent_schedules (tenant_id, agent_id, cron, timezone, input, priority, max_attempts,
                             overlap, enabled, start_at, end_at, next_run_at, end_user, tags,
                             metadata, api_key_id)
SELECT a.tenant_id, a.id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15
  FROM agents a WHERE a.id = $1
RETURNING *`;

const UPDATE_SQL = `
WITH updated AS (
UPDATE agent_schedules
   SET cron = $2, timezone = $3, input = $4, priority = $5, max_attempts = $6, overlap = $7,
       enabled = $8, start_at = $9, end_at = $10, next_run_at = $11, end_user = $12,
       tags = $13, metadata = $14, updated_at = now()
 WHERE id = $1
RETURNING *
)
SELECT * FROM updated`;

@Injectable()
export class SchedulesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly submissions: ExecutionSubmissions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    tenantId: string,
    apiKeyId: string,
    agentId: string,
    body: CreateScheduleDto,
  ): Promise<ScheduleRow> {
    const fields = this.resolve(body, null);
    const [row] = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const rows = await manager.query(INSERT_SQL, [agentId, ...fieldParams(fields), apiKeyId]);
      if (rows[0]) {
        await recordAudit(manager, {
          tenantId,
          action: 'schedule.created',
          targetType: 'schedule',
          targetId: rows[0].id,
          before: null,
          after: rows[0],
        });
      }
      return rows;
    }).catch((error: unknown) => {
      // An id that is not a uuid names no agent.
      if ((error as { code?: string }).code === INVALID_TEXT_REPRESENTATION) return [];
      throw error;
    });
    if (!row) throw new NotFoundError('agent');
    return row as ScheduleRow;
  }

  list(tenantId: string, query: ListSchedulesQuery): Promise<Page<ScheduleRow>> {
    return inTenantTransaction(this.dataSource, tenantId, (manager) =>
      rawNewestFirstPage<ScheduleRow>(
        (sql, params) => manager.query(sql, params),
        'agent_schedules',
        '($1::uuid IS NULL OR agent_id = $1)',
        [query.agentId ?? null],
        query,
      ),
    );
  }

  get(tenantId: string, id: string): Promise<ScheduleRow> {
    return inTenantTransaction(this.dataSource, tenantId, (manager) => this.find(manager, id));
  }

  update(tenantId: string, id: string, changes: UpdateScheduleDto): Promise<ScheduleRow> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const current = await this.find(manager, id, true);
      const fields = this.resolve(changes, current);
      const [row] = await manager.query(UPDATE_SQL, [id, ...fieldParams(fields)]);
      await recordAudit(manager, {
        tenantId,
        action: 'schedule.updated',
        targetType: 'schedule',
        targetId: id,
        before: { ...current },
        after: row,
      });
      return row as ScheduleRow;
    });
  }

  async remove(tenantId: string, id: string): Promise<void> {
    const [deleted] = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const [rows] = await manager.query(`DELETE FROM agent_schedules WHERE id = $1 RETURNING *`, [
        id,
      ]);
      if (rows.length > 0) {
        await recordAudit(manager, {
          tenantId,
          action: 'schedule.deleted',
          targetType: 'schedule',
          targetId: id,
          before: rows[0],
          after: null,
        });
      }
      return rows;
    });
    if (!deleted) throw new NotFoundError('schedule');
  }

  /** Runs the schedule once now, whatever its cron, overlap policy or enabled flag. */
  async trigger(tenantId: string, id: string): Promise<SubmittedExecution> {
    const schedule = await this.get(tenantId, id);
    const firedAt = new Date();
    const submission = await this.submissions.submitNew(tenantId, schedule.agent_id, {
      sessionId: null,
      priority: schedule.priority,
      input: schedule.input,
      maxAttempts: schedule.max_attempts,
      timeoutMs: null,
      runAt: null,
      idempotencyKey: `schedule:${schedule.id}:manual:${randomUUID()}`,
      handoffToAgentId: null,
      storeOutputAsMemory: false,
      attribution: attributionFromRecord(schedule),
    });
    await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      recordManualFiring(manager, id, tenantId, firedAt, submission.execution.id),
    );
    return submission;
  }

  /** Newest fire time first; `cursor` is the last fireTime of the previous page. */
  async firings(
    tenantId: string,
    id: string,
    page: PageQuery,
  ): Promise<{ data: FiringRow[]; nextCursor: string | null }> {
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const before = page.cursor ? Date.parse(page.cursor) : null;
    if (before !== null && Number.isNaN(before)) {
      throw new ValidationFailedError([{ field: 'cursor', message: 'not a cursor of this list' }]);
    }
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      await this.find(manager, id);
      const rows = await readScheduleFirings<FiringRow>(
        manager,
        id,
        before === null ? null : new Date(before),
        limit + 1,
      );
      const data = rows.slice(0, limit);
      return {
        data,
        nextCursor: rows.length > limit ? data[limit - 1].fire_time.toISOString() : null,
      };
    });
  }

  private async find(manager: EntityManager, id: string, lock = false): Promise<ScheduleRow> {
    const [row] = await manager.query(
      `SELECT * FROM agent_schedules WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    if (!row) throw new NotFoundError('schedule');
    return row as ScheduleRow;
  }

  // The full set of fields after `changes`, checked, with the next fire time from now.
  private resolve(changes: UpdateScheduleDto, current: ScheduleRow | null): ResolvedFields {
    const fields: ResolvedFields = {
      cron: changes.cron ?? current?.cron ?? '',
      timezone: changes.timezone ?? current?.timezone ?? 'UTC',
      input: changes.input ?? current?.input ?? {},
      priority: changes.priority ?? current?.priority ?? 5,
      maxAttempts: changes.maxAttempts ?? current?.max_attempts ?? 3,
      overlap: changes.overlap ?? current?.overlap ?? 'skip',
      enabled: changes.enabled ?? current?.enabled ?? true,
      startAt: pick(changes.startAt, current?.start_at ?? null),
      endAt: pick(changes.endAt, current?.end_at ?? null),
      nextRunAt: null,
      // Changed only where given; the key that created the schedule stays its key.
      attribution: attributionOf(current?.api_key_id ?? null, {
        user: changes.user ?? current?.end_user,
        tags: changes.tags ?? current?.tags,
        metadata: changes.metadata ?? current?.metadata,
      }),
    };
    const hasMessage = fields.input.message !== undefined;
    if (hasMessage === (fields.input.messages !== undefined)) {
      throw new ValidationFailedError([
        { field: 'input', message: 'give exactly one of input.message or input.messages' },
      ]);
    }
    if (fields.startAt && fields.endAt && fields.endAt <= fields.startAt) {
      throw new ValidationFailedError([{ field: 'endAt', message: 'endAt must be after startAt' }]);
    }
    try {
      assertValidCron(fields, this.config.schedules.allowSeconds);
      fields.nextRunAt = fields.enabled ? nextFireTime(fields, new Date()) : null;
    } catch (error) {
      if (error instanceof ScheduleCronError) {
        throw new UnprocessableError(`invalid_${error.field}`, error.message, [
          { field: error.field, message: error.message },
        ]);
      }
      throw error;
    }
    return fields;
  }
}

interface ResolvedFields {
  cron: string;
  timezone: string;
  input: ScheduleRow['input'];
  priority: number;
  maxAttempts: number;
  overlap: 'skip' | 'queue';
  enabled: boolean;
  startAt: Date | null;
  endAt: Date | null;
  nextRunAt: Date | null;
  attribution: ExecutionAttribution;
}

function pick(change: string | null | undefined, current: Date | null): Date | null {
  if (change === undefined) return current;
  return change === null ? null : new Date(change);
}

function fieldParams(fields: ResolvedFields): unknown[] {
  return [
    fields.cron,
    fields.timezone,
    JSON.stringify(fields.input),
    fields.priority,
    fields.maxAttempts,
    fields.overlap,
    fields.enabled,
    fields.startAt,
    fields.endAt,
    fields.nextRunAt,
    fields.attribution.user,
    fields.attribution.tags,
    fields.attribution.metadata,
  ];
}
