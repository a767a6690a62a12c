import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import {
  collectFigures,
  expectLedgerExact,
  reportFigures,
  waitForAllTerminal,
} from './support/ledger';

// One model answer PostgreSQL cannot store (U+0000, which jsonb refuses) among executions whose
// outcomes are committed together: only that execution fails, once, and nothing is retried.
describe('fault: a poison outcome in a group commit', () => {
  let fixture: FaultFixture;

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: 200 });
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
  }, 60_000);

  it('only the poison outcome fails (output_not_storable), with its usage, called once', async () => {
    const { stack, dataSource, fake } = fixture;
    fake.when((request) => request.prompt.includes('⟦poison-250⟧'), {
      kind: 'delay',
      ms: 200,
      then: { kind: 'reply', text: 'a\u0000b', promptTokens: 120, completionTokens: 30 },
    });
    await stack.startWorker({ WORKER_CONCURRENCY: '100' });
    const accepted = await stack.submit(500, { tag: 'poison' });
    await waitForAllTerminal(
      dataSource,
      accepted.map((execution) => execution.id),
      120_000,
    );
    const figures = await collectFigures(dataSource, fake, accepted);
    const poison = accepted.find((execution) => execution.marker === 'poison-250')!;
    const [row] = await dataSource.query(
      `SELECT status, output, error, attempts, prompt_tokens, completion_tokens
         FROM agent_executions WHERE id = $1`,
      [poison.id],
    );
    reportFigures('a poison outcome among 500', figures, {
      poisonCalls: figures.callsByMarker.get('poison-250') ?? 0,
      statuses: JSON.stringify(figures.byStatus),
    });
    expect(figures.byStatus).toEqual({ succeeded: 499, failed: 1 });
    expect(row).toMatchObject({
      status: 'failed',
      output: null,
      error: { code: 'output_not_storable' },
      attempts: 1,
      prompt_tokens: 120,
      completion_tokens: 30,
    });
    // Called once: its outcome did not fail the commit, so its job was not retried.
    expect(figures.callsByMarker.get('poison-250')).toBe(1);
    expectLedgerExact(figures);
  }, 300_000);
});
