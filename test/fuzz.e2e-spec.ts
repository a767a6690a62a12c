import fc from 'fast-check';
import { isCalendarTimestamp } from '../apps/api/src/common/calendar-timestamp';
import { decodePosition } from '../apps/api/src/common/page-cursor';
import { EXECUTION_LIMITS } from '../apps/api/src/executions/dto/submit-execution.dto';
import { dateLike, forgedCursor, withReservedKey } from './support/hostile-input';
import { dumpRedisPrefix } from './support/redis-dump';
import { setUpAgent } from './support/scenario';
import { startTestStack, TestStack } from './support/test-stack';

// A small seeded PRNG (mulberry32): the same 1,200 requests on every run.
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = unknown;

interface Target {
  method: string;
  path: string;
  valid: Record<string, Json>;
  admin?: boolean;
}

function deeplyNested(depth: number): Json {
  let value: Json = 'bottom';
  for (let i = 0; i < depth; i += 1) value = i % 2 ? { a: value } : [value];
  return value;
}

const WRONG_VALUES: Json[] = [
  null,
  true,
  -1,
  0,
  1e308,
  -1e308,
  'NaN',
  '',
  ' ',
  'x'.repeat(300_000),
  [],
  [1, 2, 3],
  {},
  '\u0000\uffff\ud800',
  '2026-13-45T99:99:99Z',
  '00000000-0000-0000-0000-000000000000',
  deeplyNested(200),
];

describe('fuzzing the API with malformed input', () => {
  let stack: TestStack;
  let targets: Target[];
  let apiKey: string;
  let tenantId: string;
  let agentPath: string;
  let sessionId: string;

  beforeAll(async () => {
    stack = await startTestStack({ env: { AUTH_FAILURE_LIMIT: '1000000' } });
    const setup = await setUpAgent(stack);
    apiKey = setup.tenant.apiKey;
    tenantId = setup.tenant.id;
    const agent = `/v1/agents/${setup.agentId}`;
    agentPath = agent;
    const session = await stack.http.post('/v1/sessions', { agentId: setup.agentId }, apiKey);
    sessionId = session.body.id;
    targets = [
      {
        method: 'POST',
        path: `${agent}/executions`,
        valid: {
          input: { message: 'hi' },
          priority: 5,
          maxAttempts: 3,
          delayMs: 0,
          timeoutMs: 5000,
          idempotencyKey: 'k',
          wait: 0,
        },
      },
      {
        method: 'POST',
        path: `${agent}/executions/batch`,
        valid: { executions: [{ input: { message: 'hi' } }] },
      },
      {
        method: 'POST',
        path: '/v1/agents',
        valid: {
          name: 'a',
          role: 'r',
          llmConfig: { model: 'echo-1', temperature: 0.5, maxTokens: 10 },
          status: 'active',
          enableMemory: false,
          maxConcurrency: 2,
        },
      },
      { method: 'PATCH', path: agent, valid: { name: 'a', llmConfig: { model: 'echo-1' } } },
      {
        method: 'POST',
        path: '/v1/providers',
        valid: { name: 'p', type: 'echo', isDefault: false, settings: { latencyMs: 1 } },
      },
      {
        method: 'PATCH',
        path: `/v1/providers/${setup.providerId}`,
        valid: { name: 'p2', isActive: true },
      },
      { method: 'POST', path: '/v1/api-keys', valid: { name: 'k', scopes: ['read'] } },
      { method: 'POST', path: '/v1/admin/tenants', valid: { name: 't' }, admin: true },
      { method: 'POST', path: '/v1/sessions', valid: { agentId: setup.agentId, title: 't' } },
      {
        method: 'POST',
        path: `${agent}/memories`,
        valid: { type: 'learning', content: 'c', importance: 5 },
      },
    ];
  });

  afterAll(() => stack.stop());

  async function counts() {
    const dataSource = stack.db;
    const tables: { table_name: string }[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const result: Record<string, number> = {};
    for (const { table_name } of tables) {
      const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM "${table_name}"`);
      result[table_name] = n;
    }
    return result;
  }

  // One malformed request: a valid body with one thing broken, or garbage altogether.
  function malformed(random: () => number, target: Target) {
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const body: Record<string, Json> = structuredClone(target.valid);
    const kind = Math.floor(random() * 7);
    switch (kind) {
      case 0: {
        // A garbage value in a known field, plus an unknown field so the body is surely invalid.
        body[pick(Object.keys(body))] = pick(WRONG_VALUES);
        body[`unexpected_${Math.floor(random() * 1e6)}`] = true;
        return { rawBody: JSON.stringify(body) };
      }
      case 1:
        body[`unexpected_${Math.floor(random() * 1e6)}`] = pick(WRONG_VALUES);
        return { rawBody: JSON.stringify(body) };
      case 2:
        // Anything but {} (a valid, empty PATCH).
        return {
          rawBody: JSON.stringify(
            pick(WRONG_VALUES.filter((value) => JSON.stringify(value) !== '{}')),
          ),
        };
      case 3: {
        const text = JSON.stringify(body);
        return { rawBody: text.slice(0, Math.max(1, Math.floor(random() * text.length))) };
      }
      case 4: {
        // Built as text: JSON.stringify itself cannot go this deep.
        const depth = 1_000 + Math.floor(random() * 20_000);
        const nested = `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
        return { rawBody: JSON.stringify(body).replace(/}$/, `,"nested":${nested}}`) };
      }
      case 5:
        return { rawBody: 'x'.repeat(1_100_000 + Math.floor(random() * 1_000)) };
      default:
        return {
          rawBody: JSON.stringify(body),
          headers: {
            'content-type': pick(['text/plain', 'application/xml', 'multipart/form-data']),
          },
        };
    }
  }

  it('answers 1,200 malformed requests with 4xx, no 5xx, and writes nothing', async () => {
    const random = prng(20261123);
    const rowsBefore = await counts();
    const keysBefore = (
      await dumpRedisPrefix(stack.config.redis.url, stack.config.redis.prefix)
    ).split('\n').length;
    const byStatus = new Map<number, number>();
    const unexpected: string[] = [];
    const total = 1_200;
    for (let i = 0; i < total; i += 1) {
      const target = targets[i % targets.length];
      const request = malformed(random, target);
      const token = target.admin
        ? stack.adminToken
        : random() < 0.05
          ? 'aq_not_a_real_key_at_all_000'
          : apiKey;
      const answer = await stack.http.request(target.method, target.path, { token, ...request });
      byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500 || answer.status < 400) {
        unexpected.push(
          `${answer.status} ${target.method} ${target.path} ${request.rawBody.slice(0, 120)}`,
        );
      }
    }
    const queries = [
      '/v1/executions?limit=0',
      '/v1/executions?limit=abc',
      '/v1/executions?status=done',
      '/v1/executions?cursor=%%%',
      '/v1/executions?from=yesterday',
      '/v1/usage?groupBy=planet',
      '/v1/usage?from=2026-99-99',
      '/v1/agents?limit=-5',
      '/v1/agents?cursor=eyJ4IjoxfQ',
    ];
    for (const query of queries) {
      const answer = await stack.http.get(query, apiKey);
      byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500 || answer.status < 400)
        unexpected.push(`${answer.status} GET ${query}`);
    }
    const sent = total + queries.length;
    const fourXx = [...byStatus]
      .filter(([status]) => status >= 400 && status < 500)
      .reduce((n, [, c]) => n + c, 0);
    const rowsAfter = await counts();
    const rowsAdded = Object.keys(rowsAfter).reduce(
      (n, table) => n + rowsAfter[table] - (rowsBefore[table] ?? 0),
      0,
    );
    const keysAdded =
      (await dumpRedisPrefix(stack.config.redis.url, stack.config.redis.prefix)).split('\n')
        .length - keysBefore;
    console.log(
      `fuzz: ${sent} requests, ${((100 * fourXx) / sent).toFixed(1)}% 4xx, ${[...byStatus].filter(([status]) => status >= 500).reduce((n, [, c]) => n + c, 0)} 5xx, ` +
        `${rowsAdded} rows added, ${keysAdded} Redis keys added; statuses ${JSON.stringify(Object.fromEntries(byStatus))}`,
    );
    expect(unexpected).toEqual([]);
    expect(fourXx).toBe(sent);
    expect(rowsAfter).toEqual(rowsBefore);
    expect(keysAdded).toBe(0);
  });

  interface Probe {
    method: string;
    path: string;
    admin?: boolean;
    rawBody?: string;
    // Refused with a 4xx naming this field, or (null) answered either way, never with a 5xx.
    refusedField: string | null;
  }

  const SEED = 20261202;
  const sample = <T>(arbitrary: fc.Arbitrary<T>, numRuns: number) =>
    fc.sample(arbitrary, { numRuns, seed: SEED });
  const query = (path: string, fields: Record<string, string>) =>
    `${path}?${new URLSearchParams(fields).toString()}`;
  // An empty cursor is no cursor: the first page.
  const isIssuedCursor = (cursor: string) => {
    if (cursor === '') return true;
    try {
      decodePosition(cursor);
      return true;
    } catch {
      return false;
    }
  };
  const runAtAccepted = (value: string) =>
    isCalendarTimestamp(value) && Date.parse(value) - Date.now() <= EXECUTION_LIMITS.maxDelayMs;

  // Sends probes a few at a time; returns what went wrong, and counts by status.
  async function send(probes: Probe[], byStatus: Map<number, number>): Promise<string[]> {
    const problems: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < probes.length) {
        const probe = probes[next++];
        const answer = await stack.http.request(probe.method, probe.path, {
          token: probe.admin ? stack.adminToken : apiKey,
          rawBody: probe.rawBody,
        });
        byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
        const label = `${answer.status} ${probe.method} ${probe.path.slice(0, 160)} ${probe.rawBody?.slice(0, 160) ?? ''}`;
        const error = answer.body?.error;
        if (answer.status >= 500) problems.push(label);
        else if (answer.status >= 400 && typeof error?.code !== 'string') {
          problems.push(`${label}: no error body`);
        } else if (probe.refusedField !== null) {
          const fields: string[] = (error?.details ?? []).map((d: { field: string }) => d.field);
          if (answer.status !== 400 || !fields.some((f) => f.endsWith(probe.refusedField!))) {
            problems.push(
              `${label}: expected 400 naming ${probe.refusedField}, got ${JSON.stringify(answer.body)}`,
            );
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    return problems;
  }

  it('answers 5,000+ generated dates, cursors and reserved keys without a 5xx (fast-check)', async () => {
    const lists = [
      { path: '/v1/executions' },
      { path: '/v1/agents' },
      { path: `${agentPath}/messages` },
      { path: `${agentPath}/memories` },
      { path: '/v1/sessions' },
      { path: `/v1/sessions/${sessionId}/events` },
      { path: '/v1/admin/tenants', admin: true },
    ];
    const readOnly: Probe[] = [
      ...sample(dateLike, 1_600).map((date, i): Probe => {
        const field = ['from', 'to'][i % 2];
        const path = i % 4 < 2 ? '/v1/executions' : '/v1/usage';
        return {
          method: 'GET',
          path: query(path, { [field]: date }),
          refusedField: isCalendarTimestamp(date) ? null : field,
        };
      }),
      ...sample(forgedCursor, 300).flatMap((cursor) =>
        lists.map((list): Probe => ({
          method: 'GET',
          path: query(list.path, { cursor }),
          admin: list.admin,
          refusedField: isIssuedCursor(cursor) ? null : 'cursor',
        })),
      ),
      ...targets.flatMap((target) =>
        sample(withReservedKey(target.valid), 100).map(({ body, key }): Probe => ({
          method: target.method,
          path: target.path,
          admin: target.admin,
          rawBody: body,
          refusedField: key,
        })),
      ),
      ...['2024-02-30', '2024-06-31', '2024-W05', '0000-01-01'].flatMap((date) =>
        ['from', 'to'].flatMap((field) =>
          ['/v1/executions', '/v1/usage'].map((path): Probe => ({
            method: 'GET',
            path: query(path, { [field]: date }),
            refusedField: field,
          })),
        ),
      ),
      {
        method: 'PATCH',
        path: `/v1/admin/tenants/${tenantId}`,
        admin: true,
        rawBody: '{"name":null}',
        refusedField: 'name',
      },
    ];
    const knownBadRunAts = ['2024-W05', '2024-W05-1', '2024-123', '20240101', '20240101T000000Z'];
    const submissions: Probe[] = [
      ...knownBadRunAts,
      '9999-12-31T23:59:59Z',
      ...sample(dateLike, 1_000),
    ].map((runAt) => ({
      method: 'POST',
      path: `${agentPath}/executions`,
      rawBody: JSON.stringify({ input: { message: 'fuzz' }, runAt }),
      refusedField: runAtAccepted(runAt) ? null : 'runAt',
    }));

    const byStatus = new Map<number, number>();
    const rowsBefore = await counts();
    const problems = await send(readOnly, byStatus);
    const rowsAfterReads = await counts();
    problems.push(...(await send(submissions, byStatus)));

    const sent = readOnly.length + submissions.length;
    const fiveXx = [...byStatus].filter(([status]) => status >= 500).reduce((n, [, c]) => n + c, 0);
    console.log(
      `property fuzz: ${sent} requests, ${fiveXx} 5xx, statuses ${JSON.stringify(Object.fromEntries(byStatus))}`,
    );
    expect(sent).toBeGreaterThanOrEqual(5_000);
    expect(problems).toEqual([]);
    expect(fiveXx).toBe(0);
    expect(rowsAfterReads).toEqual(rowsBefore);
  }, 600_000);
});
