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
  createSchedule,
  deleteSchedule,
  nextFireTime,
  readSchedule,
  readScheduleFirings,
  readSchedulesNewestFirst,
  recordManualFiring,
  ScheduleCronError,
  ScheduleFields,
  updateSchedule,
} from '@agentq/schedules';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundError, UnprocessableError, ValidationFailedError } from '../common/api-errors';
import { Page } from '../common/newest-first-page';
import { DEFAULT_PAGE_SIZE, PageQuery } from '../common/page.query';
import { newestFirstPageFrom } from '../common/raw-page';
import { ExecutionSubmissions } from '../executions/execution-submission.service';
import { CreateScheduleDto } from './dto/create-schedule.dto';
import { ListSchedulesQuery } from './dto/list-schedules.query';
import { UpdateScheduleDto } from './dto/update-schedule.dto';
import { FiringRow, ScheduleRow } from './schedule.view';

const INVALID_TEXT_REPRESENTATION = '22P02';

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
    const row = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const created = await createSchedule<ScheduleRow>(manager, agentId, fields, apiKeyId);
      if (created) {
        await recordAudit(manager, {
          tenantId,
          action: 'schedule.created',
          targetType: 'schedule',
          targetId: created.id,
          before: null,
          after: { ...created },
        });
      }
      return created;
    }).catch((error: unknown) => {
      // An id that is not a uuid names no agent.
      if ((error as { code?: string }).code === INVALID_TEXT_REPRESENTATION) return undefined;
      throw error;
    });
    if (!row) throw new NotFoundError('agent');
    return row;
  }

  list(tenantId: string, query: ListSchedulesQuery): Promise<Page<ScheduleRow>> {
    return inTenantTransaction(this.dataSource, tenantId, (manager) =>
      newestFirstPageFrom(
        (after, limit) =>
          readSchedulesNewestFirst<ScheduleRow>(manager, query.agentId ?? null, after, limit),
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
      const updated = (await updateSchedule<ScheduleRow>(manager, id, fields))!;
      await recordAudit(manager, {
        tenantId,
        action: 'schedule.updated',
        targetType: 'schedule',
        targetId: id,
        before: { ...current },
        after: { ...updated },
      });
      return updated;
    });
  }

  async remove(tenantId: string, id: string): Promise<void> {
    const deleted = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const row = await deleteSchedule<ScheduleRow>(manager, id);
      if (row) {
        await recordAudit(manager, {
          tenantId,
          action: 'schedule.deleted',
          targetType: 'schedule',
          targetId: id,
          before: { ...row },
          after: null,
        });
      }
      return row;
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
    const row = await readSchedule<ScheduleRow>(manager, id, lock);
    if (!row) throw new NotFoundError('schedule');
    return row;
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
      ...attributionColumns(
        attributionOf(null, {
          user: changes.user ?? current?.end_user,
          tags: changes.tags ?? current?.tags,
          metadata: changes.metadata ?? current?.metadata,
        }),
      ),
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

type ResolvedFields = ScheduleFields & { input: ScheduleRow['input'] };

function attributionColumns(
  attribution: ExecutionAttribution,
): Pick<ScheduleFields, 'endUser' | 'tags' | 'metadata'> {
  return { endUser: attribution.user, tags: attribution.tags, metadata: attribution.metadata };
}

function pick(change: string | null | undefined, current: Date | null): Date | null {
  if (change === undefined) return current;
  return change === null ? null : new Date(change);
}
