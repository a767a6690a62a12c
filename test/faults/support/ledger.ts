import { appendFileSync } from 'node:fs';
import { FakeProviderServer, findAccountingDrift } from '@agentq/testing';
import { DataSource } from 'typeorm';
import { MARKER_PATTERN, Submitted, waitUntil } from './fault-stack';

/** `npm test` runs the suite small; `npm run test:faults` at full scale. */
export const FULL_SCALE = process.env.FAULTS_SCALE === 'full';

/**
 * A test-only audit of terminal transitions: a trigger records every UPDATE that moves an
 * execution into a terminal state, or rewrites a terminal one. The conditional UPDATE lets each
 * execution end once, so every execution must have exactly one row here.
 */
export async function installTransitionAudit(dataSource: DataSource): Promise<void> {
  await dataSource.query(`
    CREATE TABLE IF NOT EXISTS fault_terminal_transitions (
      execution_id uuid NOT NULL, from_status text NOT NULL, to_status text NOT NULL,
      at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await dataSource.query(`
    CREATE OR REPLACE FUNCTION fault_record_terminal_transition() RETURNS trigger AS $$
    BEGIN
      IF NEW.status IN ('succeeded', 'failed', 'cancelled')
         AND (OLD.status NOT IN ('succeeded', 'failed', 'cancelled')
              OR NEW.completed_at IS DISTINCT FROM OLD.completed_at
              OR NEW.status IS DISTINCT FROM OLD.status) THEN
        INSERT INTO fault_terminal_transitions (execution_id, from_status, to_status)
        VALUES (NEW.id, OLD.status, NEW.status);
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await dataSource.query(`
    CREATE OR REPLACE TRIGGER fault_terminal_transitions AFTER UPDATE ON agent_executions
    FOR EACH ROW EXECUTE FUNCTION fault_record_terminal_transition()`);
}

const TERMINAL_COUNT_SQL = `
SELECT count(*)::int AS n FROM agent_executions
 WHERE id = ANY($1::uuid[]) AND status IN ('succeeded', 'failed', 'cancelled')`;

export async function countTerminal(dataSource: DataSource, ids: string[]): Promise<number> {
  const [{ n }] = await dataSource.query(TERMINAL_COUNT_SQL, [ids]);
  return n;
}

/** Waits until every id is terminal; returns how long it took (throws past the deadline). */
export function waitForAllTerminal(
  dataSource: DataSource,
  ids: string[],
  timeoutMs: number,
): Promise<number> {
  return waitUntil(
    async () => (await countTerminal(dataSource, ids)) === ids.length,
    `${ids.length} executions to end`,
    timeoutMs,
    250,
  );
}

export interface Figures {
  accepted: number;
  terminal: number;
  lost: number;
  duplicated: number;
  drift: number;
  providerCalls: number;
  /** Provider calls beyond one per execution (or beyond what the test scripted). */
  reexecuted: number;
  byStatus: Record<string, number>;
  /** Executions whose provider was called, by marker. */
  callsByMarker: Map<string, number>;
}

/** The end-of-test ledger: every accepted execution terminal, ended once, and the sums exact. */
export async function collectFigures(
  dataSource: DataSource,
  fake: FakeProviderServer,
  accepted: Submitted[],
  expectedCalls: (marker: string) => number = () => 1,
): Promise<Figures> {
  const ids = accepted.map((execution) => execution.id);
  const statuses: { status: string; n: number }[] = await dataSource.query(
    `SELECT status, count(*)::int AS n FROM agent_executions WHERE id = ANY($1::uuid[]) GROUP BY 1`,
    [ids],
  );
  const byStatus = Object.fromEntries(statuses.map((row) => [row.status, row.n]));
  const terminal = (byStatus.succeeded ?? 0) + (byStatus.failed ?? 0) + (byStatus.cancelled ?? 0);
  const [{ duplicated }] = await dataSource.query(
    `SELECT count(*)::int AS duplicated FROM (
       SELECT execution_id FROM fault_terminal_transitions GROUP BY 1 HAVING count(*) > 1) d`,
  );
  const [{ unrecorded }] = await dataSource.query(
    `SELECT count(*)::int AS unrecorded FROM agent_executions e
      WHERE e.id = ANY($1::uuid[]) AND e.status IN ('succeeded', 'failed', 'cancelled')
        AND NOT EXISTS (SELECT 1 FROM fault_terminal_transitions t WHERE t.execution_id = e.id)`,
    [ids],
  );
  if (unrecorded > 0) throw new Error(`${unrecorded} terminal executions escaped the audit`);
  const drift = await findAccountingDrift(dataSource);

  const markers = new Set(accepted.map((execution) => execution.marker));
  const callsByMarker = new Map<string, number>();
  for (const request of fake.requests) {
    const marker = MARKER_PATTERN.exec(request.prompt)?.[1];
    if (marker && markers.has(marker)) {
      callsByMarker.set(marker, (callsByMarker.get(marker) ?? 0) + 1);
    }
  }
  let providerCalls = 0;
  let reexecuted = 0;
  for (const [marker, calls] of callsByMarker) {
    providerCalls += calls;
    reexecuted += Math.max(0, calls - expectedCalls(marker));
  }
  return {
    accepted: accepted.length,
    terminal,
    lost: accepted.length - terminal,
    duplicated,
    drift: drift.lifetime.length + drift.daily.length + drift.attribution.length,
    providerCalls,
    reexecuted,
    byStatus,
    callsByMarker,
  };
}

/** The one line of figures per test; also appended to FAULTS_REPORT when set. */
export function reportFigures(
  test: string,
  figures: Figures,
  extra: Record<string, string | number> = {},
): string {
  const fields: Record<string, string | number> = {
    accepted: figures.accepted,
    terminal: figures.terminal,
    lost: figures.lost,
    duplicated: figures.duplicated,
    drift: figures.drift,
    reexecuted: figures.reexecuted,
    ...extra,
  };
  const line = `[faults:${FULL_SCALE ? 'full' : 'small'}] ${test}: ${Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')}`;
  process.stdout.write(`${line}\n`);
  if (process.env.FAULTS_REPORT) appendFileSync(process.env.FAULTS_REPORT, `${line}\n`);
  return line;
}

/** The invariants every fault test ends with. */
export function expectLedgerExact(figures: Figures): void {
  expect({
    lost: figures.lost,
    duplicated: figures.duplicated,
    drift: figures.drift,
  }).toEqual({ lost: 0, duplicated: 0, drift: 0 });
}

export const seconds = (ms: number) => `${(ms / 1_000).toFixed(1)}s`;

/** How long until one more of `ids` ends than `before` (the first sign work resumed). */
export async function timeUntilProgress(
  dataSource: DataSource,
  ids: () => string[],
  before: number,
  timeoutMs: number,
): Promise<number> {
  return waitUntil(
    async () => (await countTerminal(dataSource, ids())) > before,
    'work to resume',
    timeoutMs,
    50,
  );
}
