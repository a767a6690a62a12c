import { getQueueToken } from '@nestjs/bullmq';
import { CONTEXT_MAINTENANCE_SCHEDULER_ID, QUEUES } from '@agentq/jobs';
import { findAccountingDrift } from '@agentq/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  ContextMaintenance,
  ContextMaintenancePolicy,
} from '../apps/worker/src/context-maintenance/context-maintenance.service';
import { AgentSetup, setUpAgent, waitFor } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

const SECOND_IN_DAYS = 1 / 86_400;

describe('agent context maintenance', () => {
  describe('payload retention, on its schedule', () => {
    let stack: TestStack;
    let setup: AgentSetup;
    let db: DataSource;

    beforeAll(async () => {
      stack = await startTestStack({
        workers: 1,
        env: {
          CONTEXT_MAINTENANCE_INTERVAL_MS: '300',
          EXECUTION_PAYLOAD_RETENTION_DAYS: String(2 * SECOND_IN_DAYS),
          MEMORY_MAX_AGE_DAYS: '0',
          MEMORY_MAX_PER_AGENT: '0',
          SESSION_ARCHIVE_AFTER_DAYS: '0',
        },
      });
      db = stack.db;
      setup = await setUpAgent(stack);
    });

    afterAll(() => stack.stop());

    it('clears old inputs, outputs and handoff messages, and the rollups stay equal to the sums', async () => {
      const { apiKey } = setup.tenant;
      const second = await stack.http.post(
        '/v1/agents',
        { name: 'second', role: 'r', providerId: setup.providerId, llmConfig: { model: 'echo-1' } },
        apiKey,
      );
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          stack.http.post(
            `/v1/agents/${setup.agentId}/executions`,
            {
              input: { message: `secret payload ${i}` },
              wait: 10,
              ...(i === 0 ? { handoffTo: second.body.id } : {}),
            },
            apiKey,
          ),
        ),
      );
      expect(answers.every((answer) => answer.body.status === 'succeeded')).toBe(true);
      const handedOff = await waitFor(async () => {
        const [row] = await db.query(
          `SELECT id FROM agent_executions WHERE parent_execution_id = $1 AND status = 'succeeded'`,
          [answers[0].body.id],
        );
        return row;
      }, 'the handoff execution');
      const statsBefore = (await stack.http.get(`/v1/agents/${setup.agentId}/stats`, apiKey)).body;
      const usageBefore = answers.map((answer) => answer.body.usage);

      await waitFor(
        async () => {
          const [{ left }] = await db.query(
            `SELECT count(*)::int AS left FROM agent_executions WHERE payload_purged_at IS NULL`,
          );
          return left === 0;
        },
        'the scheduled run to clear every payload',
        20_000,
      );

      const cleared = await stack.http.get(`/v1/executions/${answers[1].body.id}`, apiKey);
      expect(cleared.body).toMatchObject({
        status: 'succeeded',
        input: { redacted: true },
        output: { redacted: true, model: 'echo-1', finishReason: 'stop' },
        payloadPurgedAt: expect.any(String),
      });
      expect(JSON.stringify(cleared.body)).not.toContain('secret payload');
      for (const [i, answer] of answers.entries()) {
        const now = await stack.http.get(`/v1/executions/${answer.body.id}`, apiKey);
        expect(now.body.usage).toEqual(usageBefore[i]);
        expect(now.body.durationMs).toBe(answer.body.durationMs);
      }
      expect((await stack.http.get(`/v1/agents/${setup.agentId}/stats`, apiKey)).body).toEqual(
        statsBefore,
      );
      expect(await findAccountingDrift(db)).toEqual({ lifetime: [], daily: [], attribution: [] });
      const messages = await stack.http.get(`/v1/agents/${second.body.id}/messages`, apiKey);
      await waitFor(async () => {
        const [message] = await db.query(
          `SELECT content FROM agent_messages WHERE to_execution_id = $1`,
          [handedOff.id],
        );
        return message.content === '[redacted]';
      }, 'the handoff message to be cleared');
      expect(messages.body.data).toHaveLength(1);

      // Redis keeps recent jobs only; PostgreSQL keeps the history.
      const queue = stack.api.get<Queue>(getQueueToken(QUEUES.executions));
      const job = await queue.getJob(answers[1].body.id);
      expect(job?.opts.removeOnComplete).toEqual({ age: 3_600, count: 10_000 });
      expect(job?.opts.removeOnFail).toEqual({ age: 24 * 3_600, count: 10_000 });
    });

    it('is scheduled once, as a job scheduler, whatever the number of workers', async () => {
      await stack.startWorker();
      const queue = new Queue(QUEUES.contextMaintenance, {
        connection: { url: stack.config.redis.url },
        prefix: stack.config.redis.prefix,
      });
      try {
        const schedulers = await queue.getJobSchedulers();
        expect(schedulers.map((s) => [s.key, s.every])).toEqual([
          [CONTEXT_MAINTENANCE_SCHEDULER_ID, 300],
        ]);
        const done = await queue.getCompleted();
        expect(done.length).toBeGreaterThan(0);
      } finally {
        await queue.close();
      }
    });
  });

  describe('memory cleanup and session archiving', () => {
    let stack: TestStack;
    let setup: AgentSetup;
    let db: DataSource;
    let maintenance: ContextMaintenance;
    const off: ContextMaintenancePolicy = {
      intervalMs: 60_000,
      batchSize: 2,
      payloadRetentionDays: 0,
      memoryMaxPerAgent: 0,
      memoryMaxAgeDays: 0,
      memoryKeepImportance: 9,
      sessionArchiveAfterDays: 0,
      webhookDeliveryRetentionDays: 0,
      scheduleFiringRetentionDays: 0,
      sessionEventRetentionDays: 0,
      planRetentionDays: 0,
      auditLogRetentionDays: 0,
    };

    beforeAll(async () => {
      stack = await startTestStack({ workers: 1 });
      db = stack.db;
      maintenance = stack.workers[0].get(ContextMaintenance);
      setup = await setUpAgent(stack);
    });

    afterAll(() => stack.stop());

    async function agentWithMemories(
      name: string,
      memories: { importance: number; daysAgo?: number; usedDaysAgo?: number }[],
    ) {
      const agent = await stack.http.post(
        '/v1/agents',
        { name, role: 'r', providerId: setup.providerId, llmConfig: { model: 'echo-1' } },
        setup.tenant.apiKey,
      );
      for (const [i, memory] of memories.entries()) {
        await db.query(
          `INSERT INTO agent_memories (tenant_id, agent_id, type, content, importance, created_at,
                                       last_accessed_at)
           VALUES ($1, $2, 'learning', $3, $4, now() - make_interval(days => $5),
                   CASE WHEN $6::int IS NULL THEN NULL ELSE now() - make_interval(days => $6) END)`,
          [
            setup.tenant.id,
            agent.body.id,
            `memory ${i}`,
            memory.importance,
            memory.daysAgo ?? 0,
            memory.usedDaysAgo ?? null,
          ],
        );
      }
      return agent.body.id as string;
    }

    const remaining = async (agentId: string) =>
      (
        await db.query(`SELECT content FROM agent_memories WHERE agent_id = $1 ORDER BY content`, [
          agentId,
        ])
      ).map((row: { content: string }) => row.content);

    it('keeps each agent under its cap, dropping the least important first', async () => {
      const crowded = await agentWithMemories('crowded', [
        { importance: 5, daysAgo: 1 },
        { importance: 1 },
        { importance: 9 },
        { importance: 5, daysAgo: 3 },
        { importance: 2 },
        { importance: 10 },
      ]);
      const small = await agentWithMemories('small', [{ importance: 1 }, { importance: 1 }]);
      const result = await maintenance.run({ ...off, memoryMaxPerAgent: 3 });
      expect(result.memoriesOverCap).toBe(3);
      // Of the two importance-5 memories the one used (created) more recently stays.
      expect(await remaining(crowded)).toEqual(['memory 0', 'memory 2', 'memory 5']);
      expect(await remaining(small)).toEqual(['memory 0', 'memory 1']);
    });

    it('deletes memories unused for too long, unless they are important enough to keep', async () => {
      const ageing = await agentWithMemories('ageing', [
        { importance: 2, daysAgo: 100 },
        { importance: 9, daysAgo: 100 },
        { importance: 3, daysAgo: 100, usedDaysAgo: 1 },
        { importance: 1, daysAgo: 1 },
        { importance: 8, daysAgo: 31 },
      ]);
      const result = await maintenance.run({ ...off, memoryMaxAgeDays: 30 });
      expect(result.memoriesExpired).toBe(2);
      expect(await remaining(ageing)).toEqual(['memory 1', 'memory 2', 'memory 3']);
    });

    it('archives idle sessions, never one with work still queued', async () => {
      const { apiKey } = setup.tenant;
      const idle = (await stack.http.post('/v1/sessions', {}, apiKey)).body.id;
      const busy = (await stack.http.post('/v1/sessions', {}, apiKey)).body.id;
      const fresh = (await stack.http.post('/v1/sessions', {}, apiKey)).body.id;
      await stack.http.post(
        `/v1/agents/${setup.agentId}/executions`,
        { input: { message: 'later' }, sessionId: busy, delayMs: 600_000 },
        apiKey,
      );
      await db.query(
        `UPDATE sessions SET updated_at = now() - interval '40 days' WHERE id = ANY($1::uuid[])`,
        [[idle, busy]],
      );
      await db.query(
        `UPDATE agent_executions SET created_at = now() - interval '40 days' WHERE session_id = $1`,
        [busy],
      );

      const result = await maintenance.run({ ...off, sessionArchiveAfterDays: 30 });
      expect(result.sessionsArchived).toBe(1);
      const statuses = await Promise.all(
        [idle, busy, fresh].map(
          async (id) => (await stack.http.get(`/v1/sessions/${id}`, apiKey)).body.status,
        ),
      );
      expect(statuses).toEqual(['archived', 'active', 'active']);
      const events = await stack.http.get(`/v1/sessions/${idle}/events`, apiKey);
      expect(events.body.data.map((e: { type: string }) => e.type)).toEqual(['session.archived']);
      const refused = await stack.http.post(
        `/v1/agents/${setup.agentId}/executions`,
        { input: { message: 'hi' }, sessionId: idle },
        apiKey,
      );
      expect(refused.status).toBe(409);
      expect((await stack.http.post(`/v1/sessions/${idle}/end`, {}, apiKey)).status).toBe(409);
    });

    it('clears the steps of a purged execution with its payload: GET …/steps shows no text', async () => {
      const { apiKey } = setup.tenant;
      const answer = await stack.http.post(
        `/v1/agents/${setup.agentId}/executions`,
        { input: { message: 'a tool loop' }, wait: 10 },
        apiKey,
      );
      const id = answer.body.id as string;
      await db.query(
        `INSERT INTO execution_steps (execution_id, step_index, tenant_id, type, name, tool_call_id,
                                      arguments, result, tool_calls, model, prompt_tokens,
                                      completion_tokens, attempt, started_at)
         VALUES ($1, 0, $2, 'model', 'echo-1', NULL, NULL, 'secret model text',
                 '[{"id": "c1", "name": "lookup", "arguments": {"q": "secret argument"}}]',
                 'echo-1', 10, 5, 1, now()),
                ($1, 1, $2, 'tool', 'lookup', 'c1', '{"q": "secret argument"}',
                 'secret tool answer', NULL, NULL, 0, 0, 1, now())`,
        [id, setup.tenant.id],
      );
      await db.query(
        `UPDATE agent_executions SET completed_at = now() - interval '40 days' WHERE id = $1`,
        [id],
      );

      const result = await maintenance.run({ ...off, payloadRetentionDays: 30 });
      expect(result.payloadsCleared).toBeGreaterThanOrEqual(1);
      const steps = await stack.http.get(`/v1/executions/${id}/steps`, apiKey);
      expect(steps.status).toBe(200);
      expect(steps.body.data ?? steps.body).toHaveLength(2);
      expect(JSON.stringify(steps.body)).not.toContain('secret');
      expect(JSON.stringify(steps.body)).toContain('lookup');
      const [usage] = await db.query(
        `SELECT sum(prompt_tokens)::int AS prompt FROM execution_steps WHERE execution_id = $1`,
        [id],
      );
      expect(usage.prompt).toBe(10);
    });

    it('deletes the approval waitpoints of a purged execution with its payload, and only those', async () => {
      const { apiKey } = setup.tenant;
      const ids: string[] = [];
      for (const message of ['an old approval', 'a recent approval']) {
        const answer = await stack.http.post(
          `/v1/agents/${setup.agentId}/executions`,
          { input: { message }, wait: 10 },
          apiKey,
        );
        ids.push(answer.body.id);
        await db.query(
          `INSERT INTO execution_waitpoints (id, tenant_id, execution_id, token_hash, tool_calls,
                                             decisions, deadline, completed_at)
           VALUES (gen_random_uuid(), $1, $2::uuid, sha256(convert_to($2::text, 'UTF8')),
                   '[{"id": "c1", "name": "transfer", "arguments": {"to": "secret"}}]',
                   '[{"toolCallId": "c1", "approve": false, "reason": "secret reason"}]',
                   now(), now())`,
          [setup.tenant.id, answer.body.id],
        );
      }
      const [old, recent] = ids;
      await db.query(
        `UPDATE agent_executions SET completed_at = now() - interval '40 days' WHERE id = $1`,
        [old],
      );

      const result = await maintenance.run({ ...off, payloadRetentionDays: 30 });
      expect(result.payloadsCleared).toBeGreaterThanOrEqual(1);
      const left = await db.query(
        `SELECT execution_id FROM execution_waitpoints WHERE execution_id = ANY($1::uuid[])`,
        [ids],
      );
      expect(left.map((row: { execution_id: string }) => row.execution_id)).toEqual([recent]);
    });

    it('deletes webhook deliveries, schedule firings, session events and plans past retention', async () => {
      const { apiKey } = setup.tenant;
      const tenantId = setup.tenant.id;
      const webhook = await stack.http.post(
        '/v1/webhooks',
        { url: 'http://127.0.0.1:9/hooks', events: ['execution.succeeded'] },
        apiKey,
      );
      const deliveries: { id: string }[] = await db.query(
        // The pending one is not due yet: the stack's dispatcher would otherwise attempt it
        // (and record an attempt) while the test counts them.
        `INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_type, status, completed_at,
                                         created_at, next_attempt_at)
         VALUES ($1, $2, 'webhook.test', 'succeeded', now() - interval '40 days', now() - interval '41 days', now()),
                ($1, $2, 'webhook.test', 'failed', now() - interval '40 days', now() - interval '41 days', now()),
                ($1, $2, 'webhook.test', 'succeeded', now() - interval '1 day', now() - interval '1 day', now()),
                ($1, $2, 'webhook.test', 'pending', NULL, now() - interval '41 days', now() + interval '1 day')
         RETURNING id`,
        [tenantId, webhook.body.id],
      );
      await db.query(
        `INSERT INTO webhook_delivery_attempts (delivery_id, tenant_id, attempt, status_code, latency_ms)
         SELECT id, $1, 1, 200, 3 FROM unnest($2::uuid[]) AS id`,
        [tenantId, deliveries.map((d) => d.id)],
      );
      const schedule = await stack.http.post(
        `/v1/agents/${setup.agentId}/schedules`,
        { cron: '0 9 * * 1', input: { message: 'weekly' } },
        apiKey,
      );
      await db.query(
        `INSERT INTO schedule_firings (schedule_id, fire_time, tenant_id, outcome, reason, created_at)
         VALUES ($1, now() - interval '100 days', $2, 'skipped', 'missed: old', now() - interval '100 days'),
                ($1, now() - interval '1 day', $2, 'skipped', 'missed: recent', now() - interval '1 day')`,
        [schedule.body.id, tenantId],
      );
      const session = (await stack.http.post('/v1/sessions', {}, apiKey)).body.id;
      await db.query(
        `INSERT INTO session_events (tenant_id, session_id, type, created_at)
         VALUES ($1, $2, 'old', now() - interval '40 days'), ($1, $2, 'recent', now())`,
        [tenantId, session],
      );
      const plans: { id: string }[] = await db.query(
        `INSERT INTO plans (tenant_id, title, status, completed_at)
         VALUES ($1, 'old', 'succeeded', now() - interval '100 days'),
                ($1, 'recent', 'failed', now() - interval '1 day'),
                ($1, 'running', 'running', NULL)
         RETURNING id`,
        [tenantId],
      );
      await db.query(
        `INSERT INTO plan_tasks (plan_id, key, tenant_id, position, input)
         SELECT id, 'only', $1, 0, '{}' FROM unnest($2::uuid[]) AS id`,
        [tenantId, plans.map((plan) => plan.id)],
      );

      const result = await maintenance.run({
        ...off,
        webhookDeliveryRetentionDays: 30,
        scheduleFiringRetentionDays: 90,
        sessionEventRetentionDays: 30,
        planRetentionDays: 90,
      });
      expect(result).toMatchObject({
        webhookDeliveriesDeleted: 2,
        scheduleFiringsDeleted: 1,
        sessionEventsDeleted: 1,
        plansDeleted: 1,
      });
      const left = async (sql: string, parameters: unknown[]) =>
        (await db.query(sql, parameters)).map((row: { v: string }) => row.v);
      expect(
        await left(`SELECT status AS v FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY 1`, [
          webhook.body.id,
        ]),
      ).toEqual(['pending', 'succeeded']);
      expect(
        await left(
          `SELECT count(*)::int AS v FROM webhook_delivery_attempts WHERE delivery_id = ANY($1)`,
          [deliveries.map((d) => d.id)],
        ),
      ).toEqual([2]);
      expect(
        await left(`SELECT reason AS v FROM schedule_firings WHERE schedule_id = $1`, [
          schedule.body.id,
        ]),
      ).toEqual(['missed: recent']);
      expect(
        await left(`SELECT type AS v FROM session_events WHERE session_id = $1`, [session]),
      ).toEqual(['recent']);
      expect(
        await left(`SELECT title AS v FROM plans WHERE tenant_id = $1 ORDER BY 1`, [tenantId]),
      ).toEqual(['recent', 'running']);
      expect(
        await left(`SELECT count(*)::int AS v FROM plan_tasks WHERE plan_id = ANY($1)`, [
          plans.map((plan) => plan.id),
        ]),
      ).toEqual([2]);
    });

    it('drops the dispatch slots and parked line of agents that no longer exist', async () => {
      const redis = new Redis(stack.config.redis.url);
      const keys = (agentId: string) =>
        ['slots', 'parked'].map(
          (set) => `${stack.config.redis.prefix}:dispatch:{agent:${agentId}}:${set}`,
        );
      const deleted = randomUUID();
      try {
        for (const agentId of [deleted, setup.agentId]) {
          const [slots, parked] = keys(agentId);
          await redis.zadd(slots, Date.now() + 60_000, randomUUID());
          await redis.zadd(parked, 5e13, randomUUID());
        }
        const result = await maintenance.run(off);
        expect(result.dispatchKeysDeleted).toBe(2);
        expect(await redis.exists(...keys(deleted))).toBe(0);
        expect(await redis.exists(...keys(setup.agentId))).toBe(2);
      } finally {
        await redis.del(...keys(deleted), ...keys(setup.agentId));
        await redis.quit();
      }
    });

    it('lets only one run work at a time', async () => {
      const holder = new Client({ connectionString: stack.database.url });
      await holder.connect();
      try {
        await holder.query(`SELECT pg_advisory_lock(hashtext('agentq:context-maintenance'))`);
        const result = await maintenance.run({ ...off, memoryMaxPerAgent: 1 });
        expect(result).toMatchObject({
          skipped: 'another run holds the lock',
          memoriesOverCap: 0,
        });
      } finally {
        await holder.end();
      }
    });
  });
});
