import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

// DESIGN.md, "Owners and the next tables": every table has one owning lib that holds its SQL and
// exposes use cases. This reads the sources (no database): outside its owner, no production code
// names an owned table in SQL or reaches it through TypeORM (a repository, the entity manager's
// find/insert/update..., a query builder's from/join).

const ROOT = join(__dirname, '..');

interface Owner {
  lib: string;
  tables: string[];
  // The TypeORM entities mapped onto those tables.
  entities: string[];
  // Tables whose names are also plain words (`plans`): named in code, they count only where SQL
  // names a table (after FROM, JOIN, INTO, UPDATE, TABLE) or as a quoted table name.
  plainWords?: string[];
  // A file outside the owner allowed to name one of its tables, and why.
  allowed?: { table: string; path: string; why: string }[];
}

const OWNERS: Owner[] = [
  {
    lib: 'libs/executions',
    tables: [
      'agent_executions',
      'execution_steps',
      'execution_waitpoints',
      'execution_labels',
      'execution_debounces',
      'agent_usage_daily',
      'agent_usage_stats',
      'usage_attribution_daily',
    ],
    entities: ['AgentExecution', 'AgentUsageDaily', 'AgentUsageStats'],
    allowed: [
      {
        table: 'agent_usage_daily',
        path: 'libs/usage/src/budget-ledger.ts',
        why: "a budget counter starts from its period's rollups in the statement that creates it",
      },
      {
        table: 'usage_attribution_daily',
        path: 'libs/usage/src/budget-ledger.ts',
        why: "an end-user or API-key counter starts from its period's attribution rollup",
      },
      {
        table: 'usage_attribution_daily',
        path: 'libs/usage/src/attribution-budgets.ts',
        why: 'a submission is refused once the spend of its end user or key reaches a budget',
      },
    ],
  },
  {
    lib: 'libs/webhooks',
    tables: ['webhook_deliveries', 'webhook_delivery_attempts'],
    entities: [],
  },
  { lib: 'libs/schedules', tables: ['agent_schedules', 'schedule_firings'], entities: [] },
  {
    lib: 'libs/plans',
    tables: ['plans', 'plan_tasks'],
    entities: [],
    plainWords: ['plans'],
    allowed: [
      {
        table: 'plans',
        path: 'apps/api/src/plans/plans.controller.ts',
        why: "the OpenAPI tag @ApiTags('plans'), not the table",
      },
    ],
  },
  { lib: 'libs/usage', tables: ['budget_counters', 'budget_reservations'], entities: [] },
  // The API's auth module (DESIGN.md allows it): only the API signs in and looks sessions up.
  { lib: 'apps/api/src/auth', tables: ['console_sessions'], entities: [] },
  {
    lib: 'libs/knowledge',
    tables: [
      'knowledge_settings',
      'knowledge_entries',
      'knowledge_versions',
      'knowledge_chunks',
      'knowledge_embedding_usage',
    ],
    entities: [],
  },
];

// Where an owned table may be named outside its owner, and why.
const EXEMPT: { path: string; why: string }[] = [
  { path: 'libs/database/src/entities/', why: 'the entity mapping declares the table' },
  { path: 'libs/testing/', why: 'test ledgers read the tables to check what the owners wrote' },
];

// Production code; bench/ and test/ read the tables to measure and check what the owners did.
const SCANNED = ['apps', 'libs'];

const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name) ? [path] : [];
  });
}

// The code without its comments: a comment may name a table; only code reaches it.
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\])\/\/.*$/gm, '$1');
}

// TypeORM calls that take an entity: repositories, the entity manager, query builders.
const ENTITY_CALLS = [
  'getRepository',
  'getTreeRepository',
  'InjectRepository',
  'forFeature',
  'find\\w*',
  'count\\w*',
  'exists\\w*',
  'save',
  'insert',
  'update',
  'upsert',
  'delete',
  'softDelete',
  'restore',
  'remove',
  'increment',
  'decrement',
  'sum',
  'average',
  'minimum',
  'maximum',
  'createQueryBuilder',
  'from',
  'into',
  '\\w*[jJ]oin\\w*',
];

// How `code` reaches an owner's tables: the table names and entity calls found in it.
function reaches(code: string, owner: Owner): string[] {
  const found = owner.tables.filter((table) =>
    (owner.plainWords?.includes(table) ? asTableName(table) : new RegExp(`\\b${table}\\b`)).test(
      code,
    ),
  );
  for (const entity of owner.entities) {
    const call = new RegExp(`\\b(${ENTITY_CALLS.join('|')})\\s*\\(\\s*\\[?[^()]*?\\b${entity}\\b`);
    if (call.test(code)) found.push(`${entity} (TypeORM)`);
  }
  return found;
}

function asTableName(table: string): RegExp {
  return new RegExp(
    `(\\b(FROM|JOIN|INTO|UPDATE|TABLE)\\s+${table}\\b)|(['"\`]${table}['"\`])`,
    'i',
  );
}

function violations(owner: Owner): string[] {
  const ownerDir = join(ROOT, owner.lib) + sep;
  return SCANNED.flatMap((dir) => sourceFiles(join(ROOT, dir)))
    .filter((file) => !file.startsWith(ownerDir))
    .map((file) => ({ file: relative(ROOT, file).split(sep).join('/'), path: file }))
    .filter(({ file }) => !EXEMPT.some((exempt) => file.startsWith(exempt.path)))
    .flatMap(({ file, path }) =>
      reaches(withoutComments(readFileSync(path, 'utf8')), owner)
        .filter((what) => !owner.allowed?.some((a) => a.table === what && a.path === file))
        .map((what) => `${file}: ${what}`),
    );
}

describe('every owned table is reached through its owner only', () => {
  it.each(OWNERS.map((owner) => [owner.lib, owner] as const))(
    'nothing outside %s names its tables or reaches them through TypeORM',
    (_lib, owner) => {
      expect(violations(owner)).toEqual([]);
    },
  );

  it.each(OWNERS.map((owner) => [owner.lib, owner] as const))(
    '%s itself names each table it owns (the list is not stale)',
    (_lib, owner) => {
      const code = sourceFiles(join(ROOT, owner.lib))
        .map((file) => withoutComments(readFileSync(file, 'utf8')))
        .join('\n');
      expect(owner.tables.filter((table) => !new RegExp(`\\b${table}\\b`).test(code))).toEqual([]);
    },
  );
});

// The INSERT statements naming `table` in production code, by file.
function insertsInto(table: string): string[] {
  const statement = new RegExp(`\\bINSERT\\s+INTO\\s+${table}\\b`, 'gi');
  return SCANNED.flatMap((dir) => sourceFiles(join(ROOT, dir))).flatMap((path) =>
    [...withoutComments(readFileSync(path, 'utf8')).matchAll(statement)].map(() =>
      relative(ROOT, path).split(sep).join('/'),
    ),
  );
}

describe('one submission statement', () => {
  it('agent_executions has one INSERT in production code: submissions, plan tasks, handoffs and schedule firings share it', () => {
    expect(insertsInto('agent_executions')).toEqual([
      'libs/executions/src/store/submission-store.ts',
    ]);
  });
});

// The files an owner's index re-exports: its public surface.
function publicFiles(lib: string): string[] {
  const indexFile = join(ROOT, lib, 'src', 'index.ts');
  if (!existsSync(indexFile)) return []; // an app's module: nothing re-exported
  const index = readFileSync(indexFile, 'utf8');
  return [...index.matchAll(/export \* from '(\.[^']+)'/g)].map((m) =>
    join(ROOT, lib, 'src', `${m[1]}.ts`),
  );
}

// Every lib, owner of a table or not: a statement run by its caller is a use case leaking out.
const LIBS = readdirSync(join(ROOT, 'libs')).map((lib) => `libs/${lib}`);

describe('owners expose use cases, not statements', () => {
  it.each(LIBS.map((lib) => [lib] as const))('%s exports no *_SQL or *_CTE constant', (lib) => {
    const exported = publicFiles(lib).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/export const (\w+_(?:SQL|CTE))\b/g)].map(
        (m) => `${relative(ROOT, file)}: ${m[1]}`,
      ),
    );
    expect(exported).toEqual([]);
  });
});

describe('the ownership check catches the bypasses it was written for', () => {
  const executions = OWNERS.find((owner) => owner.lib === 'libs/executions')!;
  const webhooks = OWNERS.find((owner) => owner.lib === 'libs/webhooks')!;

  it('a repository read of executions', () => {
    const code = `const execution = await manager
        .getRepository(AgentExecution)
        .findOneBy({ id: delivery.resource_id, tenantId: delivery.tenant_id });`;
    expect(reaches(code, executions)).toEqual(['AgentExecution (TypeORM)']);
  });

  it('entity-manager calls and query builders', () => {
    for (const code of [
      'manager.findOneBy(AgentExecution, { id })',
      'await manager.update(AgentExecution, { id }, { status })',
      "dataSource.createQueryBuilder().select().from(AgentExecution, 'e')",
      'TypeOrmModule.forFeature([Agent, AgentExecution])',
      "qb.leftJoinAndSelect(AgentExecution, 'e', 'e.id = t.execution_id')",
    ]) {
      expect(reaches(code, executions)).toEqual(['AgentExecution (TypeORM)']);
    }
  });

  it('a raw SQL join of executions', () => {
    const code =
      'const TASKS_SQL = `SELECT t.key, e.status\n  FROM plan_tasks t LEFT JOIN agent_executions e ON e.id = t.execution_id`;';
    expect(reaches(code, executions)).toEqual(['agent_executions']);
  });

  it('a second writer of the webhook outbox', () => {
    const code =
      'await manager.query(`INSERT INTO webhook_deliveries (tenant_id) VALUES ($1)`, [t]);';
    expect(reaches(code, webhooks)).toEqual(['webhook_deliveries']);
  });

  it('a table named like a plain word, where SQL names it, and not elsewhere', () => {
    const plans = OWNERS.find((owner) => owner.lib === 'libs/plans')!;
    expect(reaches('UPDATE plan_tasks t SET status = won.status FROM won', plans)).toEqual([
      'plan_tasks',
    ]);
    expect(reaches('SELECT id FROM plans WHERE id = $1', plans)).toEqual(['plans']);
    expect(reaches("rawNewestFirstPage(query, 'plans', where, params, page)", plans)).toEqual([
      'plans',
    ]);
    const words =
      "import { cancelPlan } from '@agentq/plans';\nconst plans = await this.plans.list();";
    expect(reaches(words, plans)).toEqual([]);
  });

  it('but not a comment, nor a type that only names the entity', () => {
    const code = withoutComments(`
      /** What retention leaves in agent_executions.input. */
      // written by a trigger on agent_executions
      const url = 'http://example.test/x'; // agent_executions
      function toView(row: AgentExecution): View { return { id: row.id }; }`);
    expect(reaches(code, executions)).toEqual([]);
  });
});
