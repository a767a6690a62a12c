import { FakeProviderBehaviour, FakeProviderRequest } from '@agentq/testing';
import { FaultFixture, startFaultFixture } from './support/fault-fixture';
import { MARKER_PATTERN, Submitted } from './support/fault-stack';
import {
  collectFigures,
  expectLedgerExact,
  FULL_SCALE,
  reportFigures,
  seconds,
  waitForAllTerminal,
} from './support/ledger';

interface FaultClass {
  kind: string;
  behaviour: FakeProviderBehaviour;
  // `first`: only the first call of each execution fails; `always`: every call does.
  when: 'first' | 'always';
  calls: number;
  // Attempts the row records, when not one per call (a 429 is waited out without using one).
  attempts?: number;
  status: 'succeeded' | 'failed';
  errorCode?: string;
}

// Room for the retry after a hang (50 ms replies) to finish on a busy machine too.
const HANG_TIMEOUT_MS = 4_000;

// Retries per class, as designed: transient ones retry, a 4xx other than 429 fails at once.
const CLASSES: FaultClass[] = [
  {
    kind: 'rate-limited',
    behaviour: { kind: 'error', status: 429, retryAfterSeconds: 1 },
    when: 'first',
    calls: 2,
    attempts: 1,
    status: 'succeeded',
  },
  {
    kind: 'server-500',
    behaviour: { kind: 'error', status: 500 },
    when: 'first',
    calls: 2,
    status: 'succeeded',
  },
  {
    kind: 'server-503',
    behaviour: { kind: 'error', status: 503 },
    when: 'first',
    calls: 2,
    status: 'succeeded',
  },
  { kind: 'reset', behaviour: { kind: 'reset' }, when: 'first', calls: 2, status: 'succeeded' },
  { kind: 'hang', behaviour: { kind: 'hang' }, when: 'first', calls: 2, status: 'succeeded' },
  {
    kind: 'invalid-json',
    behaviour: { kind: 'invalid-json' },
    when: 'first',
    calls: 2,
    status: 'succeeded',
  },
  {
    kind: 'always-500',
    behaviour: { kind: 'error', status: 500 },
    when: 'always',
    calls: 3,
    status: 'failed',
    errorCode: 'provider_unavailable',
  },
  {
    kind: 'bad-request',
    behaviour: { kind: 'error', status: 400, message: 'bad request' },
    when: 'always',
    calls: 1,
    status: 'failed',
    errorCode: 'provider_rejected',
  },
];

const classOf = (marker: string) => CLASSES.find((c) => marker.startsWith(`${c.kind}-`))!;
const markerOf = (request: FakeProviderRequest) => MARKER_PATTERN.exec(request.prompt)?.[1];

describe('fault: provider faults from the fake provider server, through real workers', () => {
  let fixture: FaultFixture;

  beforeAll(async () => {
    fixture = await startFaultFixture({ replyDelayMs: 50 });
  }, 120_000);

  afterAll(async () => {
    await fixture?.teardown();
  }, 60_000);

  it('retries per class, fails what must fail, leaves no job stuck', async () => {
    const { stack, dataSource, fake } = fixture;
    const failedOnce = new Set<string>();
    for (const faultClass of CLASSES) {
      fake.when((request) => {
        const marker = markerOf(request);
        if (!marker?.startsWith(`${faultClass.kind}-`)) return false;
        if (faultClass.when === 'always') return true;
        if (failedOnce.has(marker)) return false;
        failedOnce.add(marker);
        return true;
      }, faultClass.behaviour);
    }
    for (let i = 0; i < 3; i += 1) await stack.startWorker({ WORKER_CONCURRENCY: '20' });

    const perClass = FULL_SCALE ? 100 : 20;
    const startedAt = Date.now();
    const accepted: Submitted[] = [];
    for (const faultClass of CLASSES) {
      accepted.push(
        ...(await stack.submit(perClass, {
          tag: faultClass.kind,
          maxAttempts: 3,
          timeoutMs: faultClass.kind === 'hang' ? HANG_TIMEOUT_MS : undefined,
        })),
      );
    }
    await waitForAllTerminal(
      dataSource,
      accepted.map((execution) => execution.id),
      180_000,
    );
    const elapsedMs = Date.now() - startedAt;

    const figures = await collectFigures(
      dataSource,
      fake,
      accepted,
      (marker) => classOf(marker).calls,
    );
    const rows: {
      id: string;
      status: string;
      attempts: number;
      code: string | null;
      waited_ms: number;
    }[] = await dataSource.query(
      `SELECT id, status, attempts, error->>'code' AS code,
              (extract(epoch FROM started_at - queued_at) * 1000)::int AS waited_ms
         FROM agent_executions WHERE id = ANY($1::uuid[])`,
      [accepted.map((execution) => execution.id)],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    const mismatches = accepted.flatMap(({ id, marker }) => {
      const expected = classOf(marker);
      const row = byId.get(id)!;
      const calls = figures.callsByMarker.get(marker) ?? 0;
      const ok =
        row.status === expected.status &&
        row.attempts === (expected.attempts ?? expected.calls) &&
        calls === expected.calls &&
        (expected.errorCode === undefined || row.code === expected.errorCode) &&
        // Retry-After: 1 s is honoured before the second call.
        (expected.kind !== 'rate-limited' || row.waited_ms >= 950);
      return ok ? [] : [{ marker, calls, ...row }];
    });

    reportFigures(`provider faults, ${CLASSES.length} classes x${perClass}`, figures, {
      providerCalls: figures.providerCalls,
      retriesAsDesigned: figures.providerCalls - accepted.length,
      statuses: JSON.stringify(figures.byStatus),
      mismatches: mismatches.length,
      recovery: `${seconds(elapsedMs)} (submit to all ended)`,
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
    expectLedgerExact(figures);
    expect(figures.reexecuted).toBe(0);
  }, 600_000);
});
