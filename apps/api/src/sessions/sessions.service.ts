import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SESSION_EVENT_TYPES } from '@agentq/agent-context';
import { inTenantTransaction, Session, SessionEvent } from '@agentq/database';
import { sessionExecutions } from '@agentq/executions';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, NotFoundError } from '../common/api-errors';
import { newestFirstPage, Page } from '../common/newest-first-page';
import { PageQuery } from '../common/page.query';
import { CreateSessionDto } from './dto/create-session.dto';
import { ListSessionsQuery } from './dto/list-sessions.query';
import { microsSql, Position } from '../common/page-cursor';
import { oldestFirstPage } from './oldest-first-page';

/** Executions shown with a session; longer sessions are listed through GET /v1/executions. */
export const SESSION_EXECUTIONS_SHOWN = 1_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Ends an active session and records it, in one statement.
const END_SESSION_SQL = `
WITH ended AS (
  UPDATE sessions SET status = 'ended', ended_at = now(), updated_at = now()
   WHERE id = $1 AND tenant_id = $2 AND status = 'active'
  RETURNING id, tenant_id
)
INSERT INTO session_events (tenant_id, session_id, type, payload)
SELECT tenant_id, id, '${SESSION_EVENT_TYPES.sessionEnded}', '{}' FROM ended`;

@Injectable()
export class SessionsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  create(tenantId: string, body: CreateSessionDto): Promise<Session> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      if (body.agentId) {
        const [agent] = await manager.query(
          `SELECT 1 FROM agents WHERE id = $1 AND tenant_id = $2`,
          [body.agentId, tenantId],
        );
        if (!agent) throw new NotFoundError('agent');
      }
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO sessions (tenant_id, agent_id, title, metadata) VALUES ($1, $2, $3, $4)
       RETURNING id`,
        [tenantId, body.agentId ?? null, body.title ?? null, JSON.stringify(body.metadata ?? {})],
      );
      return this.get(tenantId, id, manager);
    });
  }

  list(tenantId: string, query: ListSessionsQuery): Promise<Page<Session>> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const qb = manager
        .getRepository(Session)
        .createQueryBuilder('s')
        .where('s.tenant_id = :tenantId', { tenantId });
      if (query.status) qb.andWhere('s.status = :status', { status: query.status });
      if (query.agentId) qb.andWhere('s.agent_id = :agentId', { agentId: query.agentId });
      return newestFirstPage(qb, 's', query);
    });
  }

  get(tenantId: string, id: string, within?: EntityManager): Promise<Session> {
    return inTenantTransaction(
      this.dataSource,
      tenantId,
      async (manager) => {
        const session = await manager.getRepository(Session).findOneBy({ id, tenantId });
        if (!session) throw new NotFoundError('session');
        return session;
      },
      within,
    );
  }

  /** The session with its executions in the order they were submitted. */
  getWithExecutions(tenantId: string, id: string) {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const session = await this.get(tenantId, id, manager);
      const [executions, count] = await sessionExecutions(
        manager,
        tenantId,
        id,
        SESSION_EXECUTIONS_SHOWN,
      );
      return { session, executions, executionCount: count };
    });
  }

  /** Ends an active session (no new executions, handoffs stop); ending it again changes nothing. */
  end(tenantId: string, id: string): Promise<Session> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      await manager.query(END_SESSION_SQL, [id, tenantId]);
      const session = await this.get(tenantId, id, manager);
      if (session.status === 'archived') {
        throw new ConflictError('session_archived', 'the session is archived');
      }
      return session;
    });
  }

  /** Its events and messages go with it; its executions stay, without a session. */
  remove(tenantId: string, id: string): Promise<void> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const { affected } = await manager.getRepository(Session).delete({ id, tenantId });
      if (affected === 0) throw new NotFoundError('session');
    });
  }

  listEvents(
    tenantId: string,
    sessionId: string,
    page: PageQuery,
    from?: Position | null,
  ): Promise<Page<SessionEvent> & { positions: Position[] }> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const qb = manager
        .getRepository(SessionEvent)
        .createQueryBuilder('ev')
        .where('ev.tenant_id = :tenantId AND ev.session_id = :sessionId', { tenantId, sessionId });
      return oldestFirstPage(qb, 'ev', page, from);
    });
  }

  /** Where an event id (SSE Last-Event-ID) sits in the session's log; null if it is not there. */
  eventPosition(tenantId: string, sessionId: string, eventId: string): Promise<Position | null> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      if (!UUID.test(eventId)) return null;
      const [row]: { id: string; created_at: string }[] = await manager.query(
        `SELECT id, ${microsSql('created_at')} AS created_at FROM session_events
        WHERE id = $1 AND session_id = $2 AND tenant_id = $3`,
        [eventId, sessionId, tenantId],
      );
      return row ? { createdAt: row.created_at, id: row.id } : null;
    });
  }
}
