import { createDataSource } from '@agentq/database';
import {
  createTestDatabase,
  findAccountingDrift,
  seedEchoAgent,
  TestDatabase,
} from '@agentq/testing';
import { DataSource } from 'typeorm';
import { NewModelStep } from './execution-step';
import { ExecutionSteps } from './execution-steps';
import { ExecutionStream } from '../streams/execution-stream';
import { recordTerminalOutcomes } from './record-terminal-outcomes';
import { cancelledOutcome } from './terminal-outcome';

const startedAt = new Date();

function modelStep(index: number, tokens: number): NewModelStep {
  return {
    index,
    name: 'm',
    result: 'thinking',
    toolCalls: [{ id: `call-${index}`, name: 't', arguments: {} }],
    finishReason: 'tool_calls',
    promptTokens: tokens,
    completionTokens: 1,
    costUsd: '0.000001000',
    attempt: 1,
    durationMs: 5,
    error: null,
    startedAt,
  };
}

describe('ExecutionSteps', () => {
  let database: TestDatabase;
  let owner: DataSource;
  let app: DataSource;
  let steps: ExecutionSteps;
  let tenantId: string;
  let agentId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    owner = createDataSource({ url: database.url, poolSize: 2 });
    app = createDataSource({ url: database.url, poolSize: 4, role: 'agentq_app' });
    await Promise.all([owner.initialize(), app.initialize()]);
    const notStreamed = { forAttempt: () => ({ step: () => undefined }) };
    steps = new ExecutionSteps(app, notStreamed as unknown as ExecutionStream);
    ({ tenantId, agentId } = await seedEchoAgent(owner));
  });

  afterAll(async () => {
    await Promise.all([owner.destroy(), app.destroy()]);
    await database.drop();
  });

  const attempt = (id: string) => ({ id, tenantId, stream: false, attempts: 1 });

  async function runningExecution(): Promise<string> {
    const [{ id }] = await owner.query(
      `INSERT INTO agent_executions (tenant_id, agent_id, input, status, attempts, started_at)
       VALUES ($1, $2, '{"message":"hi"}', 'running', 1, now()) RETURNING id`,
      [tenantId, agentId],
    );
    return id;
  }

  const usageOf = async (id: string) =>
    (
      await owner.query(
        `SELECT prompt_tokens, completion_tokens, cost_usd::text AS cost FROM agent_executions WHERE id = $1`,
        [id],
      )
    )[0];

  it('adds each model step to the execution once, and nothing once it has ended', async () => {
    const id = await runningExecution();
    expect(await steps.recordModelStep(attempt(id), modelStep(0, 10))).toBe(true);
    // Another attempt racing for the same index: not recorded, not counted.
    expect(await steps.recordModelStep(attempt(id), modelStep(0, 99))).toBe(false);
    expect(await steps.recordModelStep(attempt(id), modelStep(2, 20))).toBe(true);
    expect(await usageOf(id)).toEqual({
      prompt_tokens: 30,
      completion_tokens: 2,
      cost: '0.000002000',
    });

    // Cancelled: the terminal UPDATE keeps the steps' usage, and counts it in the rollups.
    await recordTerminalOutcomes(app.manager, [cancelledOutcome(id, tenantId)]);
    expect(await steps.recordModelStep(attempt(id), modelStep(4, 40))).toBe(false);
    const tool = await steps.recordToolSteps(attempt(id), [
      {
        index: 1,
        name: 't',
        toolCallId: 'call-0',
        arguments: {},
        output: 'late',
        attempt: 1,
        durationMs: 1,
        error: null,
        startedAt,
      },
    ]);
    expect(tool).toEqual({ live: false, recorded: [] });
    expect(await usageOf(id)).toMatchObject({ prompt_tokens: 30 });
    expect((await steps.load(tenantId, id)).map((step) => step.index)).toEqual([0, 2]);
    expect(await findAccountingDrift(owner)).toEqual({ lifetime: [], daily: [], attribution: [] });
  });

  it('records a tool call once, whoever records it, with its output cut at 16 KiB', async () => {
    const id = await runningExecution();
    const long = 'x'.repeat(20_000);
    const toolStep = (output: string) => ({
      index: 1,
      name: 't',
      toolCallId: 'call-a',
      arguments: { q: 1 },
      output,
      attempt: 1,
      durationMs: 1,
      error: null,
      startedAt,
    });
    expect(await steps.recordToolSteps(attempt(id), [toolStep(long)])).toEqual({
      live: true,
      recorded: ['call-a'],
    });
    expect(await steps.recordToolSteps(attempt(id), [toolStep('again')])).toEqual({
      live: true,
      recorded: [],
    });
    const [step] = await steps.load(tenantId, id);
    expect(step).toMatchObject({ type: 'tool', resultLength: 20_000, toolCallId: 'call-a' });
    expect(step.result).toHaveLength(16 * 1024);
  });
});
