import { FakeProviderRequest } from '@agentq/testing';
import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { FAST_RECOVERY_ENV, messageFor, Submitted, waitUntil } from './support/fault-stack';
import {
  collectFigures,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  waitForAllTerminal,
} from './support/ledger';

const EXECUTIONS = FULL_SCALE ? 200 : 36;
const ACTION_TIMEOUT_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const answered = (request: FakeProviderRequest) =>
  (Array.isArray(request.body.messages) ? request.body.messages : []).some(
    (message: { role?: string }) => message?.role === 'tool',
  );

// What the client did with one paused execution, and what it was told.
interface ClientMove {
  id: string;
  kind: 'at-deadline' | 'cancel-and-resume' | 'posted-twice';
  resumes: number[];
  cancel?: number;
}

describe('fault: client tool outputs racing their deadlines, cancels and each other', () => {
  let fixture: FaultFixture;

  beforeAll(async () => {
    fixture = await startFaultFixture({
      replyDelayMs: 20,
      env: { ...FAST_RECOVERY_ENV, RECONCILER_INTERVAL_MS: '100' },
    });
    fixture.fake.when((request) => !answered(request), {
      kind: 'tool-calls',
      calls: [{ name: 'ask', arguments: {}, id: 'ask' }],
      promptTokens: 40,
      completionTokens: 4,
    });
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
  }, 60_000);

  it('a client told "resumed" never sees action_timeout; a cancel answered 200 ends cancelled', async () => {
    const { stack, dataSource } = fixture;
    const agent = await stack.http.post(
      '/v1/agents',
      {
        name: 'client-tool-agent',
        role: 'Fault suite client tool user',
        llmConfig: { model: 'gpt-4o-mini', maxTokens: 32 },
        tools: [{ type: 'client', name: 'ask', parameters: { type: 'object' } }],
      },
      stack.apiKey,
    );
    expect(agent.status).toBe(201);
    await stack.startWorker({ ...FAST_RECOVERY_ENV, RECONCILER_INTERVAL_MS: '100' });

    const markers = Array.from({ length: EXECUTIONS }, (_, i) => `client-${i}`);
    const answer = await stack.http.post(
      `/v1/agents/${agent.body.id}/executions/batch`,
      {
        executions: markers.map((marker) => ({
          input: { message: messageFor(marker) },
          actionTimeoutMs: ACTION_TIMEOUT_MS,
        })),
      },
      stack.apiKey,
    );
    expect(answer.status).toBe(202);
    const accepted: Submitted[] = answer.body.data.map((execution: { id: string }, i: number) => ({
      id: execution.id,
      marker: markers[i],
    }));

    const post = async (id: string) =>
      (
        await stack.http.post(
          `/v1/executions/${id}/tool-outputs`,
          { outputs: [{ toolCallId: 'ask', output: 'yes' }] },
          stack.apiKey,
        )
      ).status;
    const cancel = async (id: string) =>
      (await stack.http.post(`/v1/executions/${id}/cancel`, {}, stack.apiKey)).status;

    // When the execution's wait ends, once it has paused.
    const pausedUntil = async (id: string): Promise<Date> => {
      let deadline: Date | undefined;
      await waitUntil(
        async () => {
          const [row] = await dataSource.query(
            `SELECT action_deadline FROM agent_executions
              WHERE id = $1 AND status = 'requires_action'`,
            [id],
          );
          deadline = row?.action_deadline;
          return deadline !== undefined;
        },
        `execution ${id} to pause`,
        60_000,
        50,
      );
      return deadline!;
    };

    const moves = await Promise.all(
      accepted.map(async ({ id }, i): Promise<ClientMove> => {
        const deadline = await pausedUntil(id);
        const untilDeadline = deadline.getTime() - Date.now();
        switch (i % 3) {
          case 0: {
            // Within 150 ms either side of the deadline, while the reconciler expires waits.
            await sleep(Math.max(0, untilDeadline + ((i * 37) % 300) - 150));
            return { id, kind: 'at-deadline', resumes: [await post(id)] };
          }
          case 1: {
            await sleep(Math.max(0, untilDeadline - 500));
            const [resume, cancelled] = await Promise.all([post(id), cancel(id)]);
            return { id, kind: 'cancel-and-resume', resumes: [resume], cancel: cancelled };
          }
          default: {
            await sleep(Math.max(0, untilDeadline - 300));
            return { id, kind: 'posted-twice', resumes: await Promise.all([post(id), post(id)]) };
          }
        }
      }),
    );
    const ids = accepted.map((execution) => execution.id);
    await waitForAllTerminal(dataSource, ids, 120_000);

    const rows: { id: string; status: string; code: string | null; tool_steps: number }[] =
      await dataSource.query(
        `SELECT e.id, e.status, e.error->>'code' AS code,
                (SELECT count(*)::int FROM execution_steps s
                  WHERE s.execution_id = e.id AND s.type = 'tool') AS tool_steps
           FROM agent_executions e WHERE e.id = ANY($1::uuid[])`,
        [ids],
      );
    const byId = new Map(rows.map((row) => [row.id, row]));
    const told = (move: ClientMove) => move.resumes.some((status) => status === 200);
    const broken = moves.filter((move) => {
      const row = byId.get(move.id)!;
      if (told(move) && row.code === 'action_timeout') return true;
      if (move.cancel === 200 && row.status !== 'cancelled') return true;
      if (told(move) && move.cancel !== 200 && row.status !== 'succeeded') return true;
      if (!told(move) && row.tool_steps > 0) return true;
      return move.resumes.some((status) => status !== 200 && status !== 409);
    });
    const twice = moves.filter((move) => move.kind === 'posted-twice');
    // One model call before the pause, one after a resume.
    const figures = await collectFigures(dataSource, fixture.fake, accepted, () => 2);
    reportFigures(
      `${EXECUTIONS} client tool waits raced by outputs, cancels and repeats`,
      figures,
      {
        resumed: moves.filter(told).length,
        actionTimeouts: rows.filter((row) => row.code === 'action_timeout').length,
        cancelled: rows.filter((row) => row.status === 'cancelled').length,
        broken: broken.length,
      },
    );
    expectLedgerExact(figures);
    expect(broken).toEqual([]);
    // A repeated post of the same outputs is answered like the first, and recorded once.
    expect(twice.filter((move) => move.resumes[0] !== move.resumes[1])).toEqual([]);
    expect(rows.filter((row) => row.tool_steps > 1)).toEqual([]);
  }, 600_000);
});
