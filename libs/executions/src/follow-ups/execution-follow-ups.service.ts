import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  HANDOFF_PREFIX,
  handoffRefusal,
  HandoffRejection,
  HandoffSource,
  HandoffTarget,
  requestedHandoff,
  SESSION_EVENT_TYPES,
} from '@agentq/agent-context';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { SaveOutputAs, setTransactionTenant } from '@agentq/database';
import { saveOutputAsKnowledge } from '@agentq/knowledge';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { ExecutionProducer, QueuedExecution } from '../lifecycle/execution-producer.service';
import { groupSorted } from '../batching/group-sorted';
import { queuedExecution } from '../lifecycle/queued-execution';
import { AttributionRecord } from '../attribution/attribution';
import { ExecutionRecord, insertExecutionRecords } from '../store/submission-store';
import { RecordedTransition, TerminalOutcome } from '../store/terminal-outcome';

// A succeeded execution whose row asks for a follow-up, read before the terminal transaction.
interface Candidate {
  id: string;
  tenantId: string;
  agentId: string;
  sessionId: string | null;
  sessionStatus: string | null;
  priority: number;
  maxAttempts: number;
  timeoutMs: number | null;
  handoffToAgentId: string | null;
  handoffDepth: number;
  storeOutputAsMemory: boolean;
  saveOutputAs: SaveOutputAs | null;
  // Handoffs run with their parent's attribution.
  attribution: AttributionRecord;
  // The agent message that started this execution, when it was itself a handoff.
  inReplyToId: string | null;
}

/** Which outcomes of a batch may need follow-ups, decided before the batch is committed. */
export interface FollowUpPlan {
  candidates: Map<string, { candidate: Candidate; outputText: string }>;
}

/** Executions to enqueue (and announce) once the transaction is committed. */
export interface CommittedFollowUps {
  jobs: QueuedExecution[];
}

export const NO_FOLLOW_UPS: CommittedFollowUps = { jobs: [] };

// Flags are fixed at insert, so reading them outside the terminal transaction is safe.
const CANDIDATES_SQL = `
SELECT e.id, e.tenant_id, e.agent_id, e.session_id, s.status AS session_status, e.priority,
       e.max_attempts, e.timeout_ms, e.handoff_to_agent_id, e.handoff_depth,
       e.store_output_as_memory, e.save_output_as, e.api_key_id, e.end_user, e.tags, e.metadata,
       (SELECT m.id FROM agent_messages m WHERE m.to_execution_id = e.id LIMIT 1) AS in_reply_to_id
  FROM agent_executions e
  LEFT JOIN sessions s ON s.id = e.session_id
 WHERE e.id = ANY($1::uuid[])
   AND (e.handoff_to_agent_id IS NOT NULL OR e.store_output_as_memory
        OR e.save_output_as IS NOT NULL OR e.id = ANY($2::uuid[]))`;

const INSERT_MEMORIES_SQL = `
INSERT INTO agent_memories (id, tenant_id, agent_id, type, content, importance, metadata)
SELECT r.id, r.tenant_id, r.agent_id, 'conversation', r.content, 5, r.metadata
  FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, tenant_id uuid, agent_id uuid, content text,
       metadata jsonb)`;

const INSERT_SESSION_EVENTS_SQL = `
INSERT INTO session_events (tenant_id, session_id, execution_id, type, payload)
SELECT r.tenant_id, r.session_id, r.execution_id, r.type, r.payload
  FROM jsonb_to_recordset($1::jsonb) AS r(n integer, tenant_id uuid, session_id uuid,
       execution_id uuid, type text, payload jsonb)
 ORDER BY r.n`;

// Locked until the terminal transaction commits: a target found active stays active, so the
// submission statement (which inserts only for active agents) takes every handoff let through.
const HANDOFF_TARGETS_SQL = `
SELECT id, tenant_id, status FROM agents WHERE id = ANY($1::uuid[]) ORDER BY id FOR SHARE`;

const INSERT_AGENT_MESSAGES_SQL = `
INSERT INTO agent_messages (id, tenant_id, session_id, from_agent_id, to_agent_id,
                            from_execution_id, to_execution_id, in_reply_to_id, content)
SELECT r.id, r.tenant_id, r.session_id, r.from_agent_id, r.to_agent_id, r.from_execution_id,
       r.to_execution_id, r.in_reply_to_id, r.content
  FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, tenant_id uuid, session_id uuid,
       from_agent_id uuid, to_agent_id uuid, from_execution_id uuid, to_execution_id uuid,
       in_reply_to_id uuid, content text)`;

interface SessionEventRow {
  tenant_id: string;
  session_id: string;
  execution_id: string;
  type: string;
  payload: Record<string, unknown>;
}

/**
 * What a succeeded execution sets off, written in the transaction that wins its terminal
 * transition (so exactly once): its output stored as a memory, and a handoff — the
 * agent_messages row and the next `queued` execution in the same session. The next job is
 * enqueued after commit; if this process dies in between, the reconciler enqueues the row.
 */
@Injectable()
export class ExecutionFollowUps {
  private readonly logger = new Logger(ExecutionFollowUps.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly producer: ExecutionProducer,
  ) {}

  /**
   * One query per batch, only for succeeded outcomes that may set something off: their row's
   * flags were not read at claim or are set, or the output names a handoff. Most batches need
   * no query and no transaction.
   */
  async plan(outcomes: readonly TerminalOutcome[]): Promise<FollowUpPlan> {
    const succeeded = outcomes.filter(
      (o) =>
        o.status === 'succeeded' &&
        o.output &&
        (o.hasFollowUpFlags !== false || o.output.text.includes(HANDOFF_PREFIX)),
    );
    const candidates: FollowUpPlan['candidates'] = new Map();
    if (succeeded.length === 0) return { candidates };
    const mayHandOff = succeeded
      .filter((o) => o.output!.text.includes(HANDOFF_PREFIX))
      .map((o) => o.executionId);
    // One transaction, one query per tenant of the batch (row-level security).
    const rows: Record<string, unknown>[] = await this.dataSource.transaction(async (manager) => {
      const found: Record<string, unknown>[] = [];
      for (const [tenantId, ids] of groupSorted(succeeded, (o) => o.tenantId)) {
        await setTransactionTenant(manager, tenantId);
        const tenantIds = new Set(ids.map((o) => o.executionId));
        found.push(
          ...(await manager.query(CANDIDATES_SQL, [
            [...tenantIds],
            mayHandOff.filter((id) => tenantIds.has(id)),
          ])),
        );
      }
      return found;
    });
    const textById = new Map(succeeded.map((o) => [o.executionId, o.output!.text]));
    for (const row of rows) {
      const candidate = toCandidate(row);
      candidates.set(candidate.id, { candidate, outputText: textById.get(candidate.id) ?? '' });
    }
    return { candidates };
  }

  needsTransaction(plan: FollowUpPlan): boolean {
    return plan.candidates.size > 0;
  }

  /**
   * Inside the terminal transaction, for the transitions it won: per tenant, with that tenant
   * set, so a handoff can only ever reach an agent of its own tenant.
   */
  async apply(
    manager: EntityManager,
    won: readonly RecordedTransition[],
    plan: FollowUpPlan,
  ): Promise<CommittedFollowUps> {
    const winners = won
      .filter((transition) => transition.status === 'succeeded')
      .map((transition) => plan.candidates.get(transition.executionId))
      .filter((entry) => entry !== undefined);
    if (winners.length === 0) return NO_FOLLOW_UPS;
    const committed: CommittedFollowUps = { jobs: [] };
    for (const [tenantId, tenantWinners] of groupSorted(winners, (w) => w.candidate.tenantId)) {
      await setTransactionTenant(manager, tenantId);
      const forTenant = await this.applyForTenant(manager, tenantWinners);
      committed.jobs.push(...forTenant.jobs);
    }
    return committed;
  }

  private async applyForTenant(
    manager: EntityManager,
    winners: { candidate: Candidate; outputText: string }[],
  ): Promise<CommittedFollowUps> {
    const memories: Record<string, unknown>[] = [];
    const events: SessionEventRow[] = [];
    const requests: {
      candidate: Candidate;
      agentId: string;
      message: string;
      source: HandoffSource;
    }[] = [];

    for (const { candidate, outputText } of winners) {
      if (candidate.storeOutputAsMemory && outputText.trim().length > 0) {
        const memoryId = randomUUID();
        memories.push({
          id: memoryId,
          tenant_id: candidate.tenantId,
          agent_id: candidate.agentId,
          content: outputText,
          metadata: { source: 'execution-output', executionId: candidate.id },
        });
        this.sessionEvent(events, candidate, SESSION_EVENT_TYPES.memoryStored, { memoryId });
      }
      if (candidate.saveOutputAs && outputText.trim().length > 0) {
        // In the terminal transaction: the entry exists exactly when the success does.
        await saveOutputAsKnowledge(
          manager,
          candidate.tenantId,
          candidate.id,
          candidate.saveOutputAs,
          outputText,
        );
      }
      const request = requestedHandoff(candidate.handoffToAgentId, outputText);
      if (request?.kind === 'rejected') {
        this.rejectHandoff(events, candidate, request.reason, request.detail, request.agentId);
      } else if (request) {
        requests.push({ candidate, ...request });
      }
    }

    const targets = await this.loadTargets(
      manager,
      requests.map((r) => r.agentId),
    );
    const executions: ExecutionRecord[] = [];
    const messages: Record<string, unknown>[] = [];
    const committed: CommittedFollowUps = { jobs: [] };
    for (const { candidate, agentId, message, source } of requests) {
      const target = targets.get(agentId);
      const refusal = handoffRefusal(candidate, target, this.config.agentContext.maxHandoffDepth);
      if (refusal) {
        this.rejectHandoff(events, candidate, refusal.reason, refusal.detail, agentId);
        continue;
      }
      const executionId = randomUUID();
      const messageId = randomUUID();
      // A submission to the target agent: its model and defaults, the parent's attribution.
      executions.push({
        id: executionId,
        agent_id: agentId,
        session_id: candidate.sessionId,
        priority: candidate.priority,
        input: { message },
        max_attempts: candidate.maxAttempts,
        timeout_ms: candidate.timeoutMs,
        run_at: null,
        idempotency_key: null,
        handoff_to_agent_id: null,
        store_output_as_memory: false,
        ...candidate.attribution,
        handoff_depth: candidate.handoffDepth + 1,
        parent_execution_id: candidate.id,
      });
      messages.push({
        id: messageId,
        tenant_id: candidate.tenantId,
        session_id: candidate.sessionId,
        from_agent_id: candidate.agentId,
        to_agent_id: agentId,
        from_execution_id: candidate.id,
        to_execution_id: executionId,
        in_reply_to_id: candidate.inReplyToId,
        content: message,
      });
      this.sessionEvent(events, candidate, SESSION_EVENT_TYPES.handoff, {
        messageId,
        fromAgentId: candidate.agentId,
        toAgentId: agentId,
        fromExecutionId: candidate.id,
        toExecutionId: executionId,
        depth: candidate.handoffDepth + 1,
        source,
      });
      committed.jobs.push(
        queuedExecution(
          {
            id: executionId,
            tenantId: candidate.tenantId,
            agentId,
            priority: candidate.priority,
            runAt: null,
            attempts: 0,
            maxAttempts: candidate.maxAttempts,
          },
          true,
        ),
      );
      this.logger.log(
        `execution ${candidate.id}: handed off to agent ${agentId} as execution ${executionId}`,
      );
    }

    if (memories.length > 0) {
      await manager.query(INSERT_MEMORIES_SQL, [JSON.stringify(memories)]);
    }
    // Events first: a handoff reads before the `execution.queued` of the execution it creates.
    if (events.length > 0) {
      const numbered = events.map((event, n) => ({ n, ...event }));
      await manager.query(INSERT_SESSION_EVENTS_SQL, [JSON.stringify(numbered)]);
    }
    if (executions.length > 0) {
      await insertExecutionRecords(manager, executions);
      await manager.query(INSERT_AGENT_MESSAGES_SQL, [JSON.stringify(messages)]);
    }
    return committed;
  }

  /** After commit: enqueue the next executions. Never throws; the reconciler heals a miss. */
  async afterCommit(followUps: CommittedFollowUps): Promise<void> {
    try {
      await this.producer.enqueue(followUps.jobs);
    } catch (error) {
      this.logger.error(
        `could not enqueue ${followUps.jobs.length} handoff execution(s) ` +
          `(${followUps.jobs.map((job) => job.executionId).join(', ')}); the reconciler will: ` +
          (error as Error).message,
      );
    }
  }

  private async loadTargets(
    manager: EntityManager,
    agentIds: string[],
  ): Promise<Map<string, HandoffTarget>> {
    if (agentIds.length === 0) return new Map();
    const rows: { id: string; tenant_id: string; status: string }[] = await manager.query(
      HANDOFF_TARGETS_SQL,
      [[...new Set(agentIds)]],
    );
    return new Map(rows.map((row) => [row.id, { tenantId: row.tenant_id, status: row.status }]));
  }

  private rejectHandoff(
    events: SessionEventRow[],
    candidate: Candidate,
    reason: HandoffRejection,
    detail: string,
    toAgentId?: string,
  ) {
    this.logger.warn(`execution ${candidate.id}: handoff refused (${reason}): ${detail}`);
    this.sessionEvent(events, candidate, SESSION_EVENT_TYPES.handoffRejected, {
      reason,
      detail,
      fromAgentId: candidate.agentId,
      toAgentId: toAgentId ?? null,
      depth: candidate.handoffDepth,
    });
  }

  private sessionEvent(
    events: SessionEventRow[],
    candidate: Candidate,
    type: string,
    payload: Record<string, unknown>,
  ) {
    if (!candidate.sessionId) return;
    events.push({
      tenant_id: candidate.tenantId,
      session_id: candidate.sessionId,
      execution_id: candidate.id,
      type,
      payload,
    });
  }
}

function toCandidate(row: Record<string, unknown>): Candidate {
  return {
    id: row.id as string,
    tenantId: row.tenant_id as string,
    agentId: row.agent_id as string,
    sessionId: (row.session_id as string | null) ?? null,
    sessionStatus: (row.session_status as string | null) ?? null,
    priority: row.priority as number,
    maxAttempts: row.max_attempts as number,
    timeoutMs: (row.timeout_ms as number | null) ?? null,
    handoffToAgentId: (row.handoff_to_agent_id as string | null) ?? null,
    handoffDepth: row.handoff_depth as number,
    storeOutputAsMemory: row.store_output_as_memory as boolean,
    saveOutputAs: (row.save_output_as as SaveOutputAs | null) ?? null,
    inReplyToId: (row.in_reply_to_id as string | null) ?? null,
    attribution: {
      api_key_id: (row.api_key_id as string | null) ?? null,
      end_user: (row.end_user as string | null) ?? null,
      tags: (row.tags as string[] | null) ?? null,
      metadata: (row.metadata as Record<string, unknown> | null) ?? null,
    },
  };
}
