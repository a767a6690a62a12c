import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { SessionEvent, setTransactionTenant } from '@agentq/database';
import { DataSource } from 'typeorm';
import { SessionEventView } from './session.view';

type Listener = (event: SessionEventView) => void;

interface Watch {
  // The session's tenant: each poll reads a tenant's sessions with that tenant set.
  tenantId: string;
  listeners: Set<Listener>;
  // created_at (microseconds, as text) of the newest event seen; null before the first.
  newest: string | null;
}

/**
 * Events are committed out of created_at order by up to a transaction's length, so each poll
 * reads this far behind the newest event seen and listeners drop the ones already delivered.
 */
export const SESSION_EVENTS_LOOKBACK_MS = 3_000;

const NEW_EVENTS_SQL = `
SELECT ev.id, ev.tenant_id, ev.session_id, ev.execution_id, ev.type, ev.payload, ev.created_at,
       to_char(ev.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_us
  FROM unnest($1::uuid[], $2::timestamptz[]) AS w(session_id, newest)
  JOIN session_events ev
    ON ev.session_id = w.session_id
   AND ev.created_at > COALESCE(w.newest, now()) - make_interval(secs => $3)
 ORDER BY ev.created_at, ev.id`;

/**
 * New session events for the SSE streams of this API process: one polling transaction every
 * SESSION_EVENTS_POLL_MS, with one query per tenant being watched (row-level security: the
 * tenant is set before each), fanned out in memory. Events come from
 * PostgreSQL (a trigger writes lifecycle events), so every process sees every event.
 */
@Injectable()
export class SessionEventStream implements OnApplicationShutdown {
  private readonly logger = new Logger(SessionEventStream.name);
  private readonly watches = new Map<string, Watch>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Calls `listener` with every event of the session committed from now on (maybe twice). */
  listen(tenantId: string, sessionId: string, listener: Listener): () => void {
    let watch = this.watches.get(sessionId);
    if (!watch) {
      this.watches.set(sessionId, (watch = { tenantId, listeners: new Set(), newest: null }));
    }
    watch.listeners.add(listener);
    this.timer ??= setInterval(
      () => void this.poll(),
      this.config.agentContext.sessionEventsPollMs,
    );
    return () => {
      watch.listeners.delete(listener);
      if (watch.listeners.size === 0) this.watches.delete(sessionId);
      if (this.watches.size === 0) this.stopTimer();
    };
  }

  private async poll(): Promise<void> {
    if (this.polling || this.watches.size === 0) return;
    this.polling = true;
    try {
      const byTenant = new Map<string, string[]>();
      for (const [sessionId, watch] of this.watches) {
        byTenant.set(watch.tenantId, [...(byTenant.get(watch.tenantId) ?? []), sessionId]);
      }
      const rows = await this.dataSource.transaction(async (manager) => {
        const found: (SessionEvent & { created_at_us: string } & Record<string, unknown>)[] = [];
        for (const [tenantId, ids] of byTenant) {
          await setTransactionTenant(manager, tenantId);
          found.push(
            ...(await manager.query(NEW_EVENTS_SQL, [
              ids,
              ids.map((id) => this.watches.get(id)?.newest ?? null),
              SESSION_EVENTS_LOOKBACK_MS / 1_000,
            ])),
          );
        }
        return found;
      });
      for (const row of rows) {
        const watch = this.watches.get(row.session_id as string);
        if (!watch) continue;
        if (watch.newest === null || row.created_at_us > watch.newest)
          watch.newest = row.created_at_us;
        const event: SessionEventView = {
          id: row.id,
          sessionId: row.session_id as string,
          executionId: (row.execution_id as string | null) ?? null,
          type: row.type,
          payload: row.payload,
          createdAt: row.created_at as unknown as Date,
        };
        for (const listener of watch.listeners) listener(event);
      }
    } catch (error) {
      this.logger.warn(`session events poll failed: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  private stopTimer() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  onApplicationShutdown() {
    this.stopTimer();
    this.watches.clear();
  }
}

/** Remembers delivered event ids for a while, so the lookback never delivers one twice. */
export class DeliveredEvents {
  private readonly seen = new Map<string, number>();

  /** True the first time an id is offered. */
  firstTime(event: SessionEventView): boolean {
    if (this.seen.has(event.id)) return false;
    const at = new Date(event.createdAt).getTime();
    this.seen.set(event.id, at);
    if (this.seen.size > 1_000) this.forgetBefore(at - 4 * SESSION_EVENTS_LOOKBACK_MS);
    return true;
  }

  private forgetBefore(time: number) {
    for (const [id, at] of this.seen) if (at < time) this.seen.delete(id);
  }
}
