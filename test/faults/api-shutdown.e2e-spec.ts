import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { within } from './support/fault-stack';
import { sleep } from './support/processes';

const GRACE_MS = 4_000;

// SIGTERM to the API: it stops accepting, lets requests in flight finish, cuts streams at the deadline, exits 0.
describe('fault: SIGTERM to the API', () => {
  let fixture: FaultFixture;

  beforeAll(async () => {
    fixture = await startFaultFixture({ env: { API_SHUTDOWN_GRACE_MS: String(GRACE_MS) } });
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
  }, 60_000);

  it('drains requests in flight, refuses new ones, closes event streams at the deadline, exits 0', async () => {
    const { stack } = fixture;
    // No worker runs: a submission that waits 3 s for its result is a request in flight that long.
    const waiting = stack.http.post(
      `/v1/agents/${await agentIdOf(fixture)}/executions`,
      { input: { message: 'in flight during shutdown' }, wait: 3 },
      stack.apiKey,
    );
    const queued = await stack.submitOne('streamed');
    const stream = await fetch(`${stack.http.baseUrl}/v1/executions/${queued.body.id}/events`, {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    expect(stream.status).toBe(200);
    const streamEnded = stream
      .text()
      .then(() => Date.now())
      .catch(() => Date.now());
    await sleep(500);

    const signalledAt = Date.now();
    stack.api.signal('SIGTERM');
    await sleep(200);
    const refused = await stack.http.get('/health/live').then(
      () => false,
      () => true,
    );
    const answer = await waiting;
    const exit = await within(stack.api.exited, GRACE_MS + 10_000, 'the API to exit');
    const exitedAt = Date.now();
    const streamClosedAfter = (await streamEnded) - signalledAt;

    process.stdout.write(
      `[faults] API SIGTERM: in-flight answered=${answer.status} newConnectionRefused=${refused} ` +
        `streamClosedAfter=${streamClosedAfter}ms exit=${exit.code} stopTime=${exitedAt - signalledAt}ms\n`,
    );
    expect(answer.status).toBe(202);
    expect(refused).toBe(true);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(streamClosedAfter).toBeGreaterThanOrEqual(GRACE_MS - 500);
    expect(exitedAt - signalledAt).toBeLessThan(GRACE_MS + 3_000);
  }, 120_000);
});

async function agentIdOf(fixture: FaultFixture): Promise<string> {
  const agents = await fixture.stack.http.get('/v1/agents', fixture.stack.apiKey);
  return agents.body.data[0].id;
}
