import { useLocation, useSearch } from 'wouter';
import type { components } from '@agentq/client';
import { api, unwrap } from '../api';
import { BarChart, StackedBarChart } from '../charts';
import { filtersToSearch, formatTokens, formatUsd, spentPercent, sumUsd, toCsv } from '../format';
import { useLoad } from '../hooks';
import { byCostDescending, rollUp, type UsageFigures } from '../usage-rollup';
import { Loaded } from '../ui';

type UsageRow = components['schemas']['UsageRowView'];
type UsageReport = components['schemas']['UsageReportView'];
type Figures = UsageFigures & { key: string };

const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => today().slice(0, 8) + '01';
const unattributed = '(none)';

/**
 * Cost and tokens per day by agent, by agent, model, end user and API key; budgets with what is
 * spent of them; the exact figures in a table beside each chart, and each table as CSV.
 */
export function UsagePage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const from = params.get('from') ?? monthStart();
  const to = params.get('to') ?? today();
  // Six reads, all at once (one round trip, within the browser's six connections): the finest
  // groupings, summed here into every table, and the month's spend for the budgets.
  const usage = useLoad(async () => {
    const read = (query: { from: string; to?: string; groupBy: UsageReport['groupBy'] }) =>
      api.GET('/v1/usage', { params: { query } });
    const [byAgentModel, byUserKey, monthByAgent, monthByKey, agents, keys] = await Promise.all([
      read({ from, to, groupBy: ['day', 'agent', 'model'] }),
      read({ from, to, groupBy: ['day', 'user', 'apiKey'] }),
      read({ from: monthStart(), groupBy: ['day', 'agent'] }),
      read({ from: monthStart(), groupBy: ['day', 'apiKey'] }),
      api.GET('/v1/agents', { params: { query: { limit: 100 } } }),
      api.GET('/v1/api-keys'),
    ]);
    return {
      rows: unwrap(byAgentModel).data,
      attribution: unwrap(byUserKey).data,
      monthByAgent: unwrap(monthByAgent).data,
      monthByKey: unwrap(monthByKey).data,
      agents: unwrap(agents).data,
      keys: keys.data?.data ?? [],
    };
  }, `${from}|${to}`);
  return (
    <section>
      <h1>Usage</h1>
      <form
        className="filters"
        aria-label="Period"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          navigate(
            `/usage${filtersToSearch({ from: String(form.get('from') ?? ''), to: String(form.get('to') ?? '') })}`,
          );
        }}
      >
        <label>
          From
          <input type="date" name="from" defaultValue={from} />
        </label>
        <label>
          To (inclusive)
          <input type="date" name="to" defaultValue={to} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <Loaded
        value={usage}
        isEmpty={(data) => data.rows.length === 0}
        empty="No usage in this period."
      >
        {(data) => {
          const names = new Map(data.agents.map((agent) => [agent.id, agent.name]));
          const keyNames = new Map(data.keys.map((key) => [key.id, `${key.name} (${key.prefix})`]));
          const agentName = (id: string) =>
            id === unattributed ? 'deleted agents' : (names.get(id) ?? id.slice(0, 8));
          const keyName = (id: string) =>
            id === unattributed ? 'no key' : (keyNames.get(id) ?? id.slice(0, 8));
          const byAgent = byCostDescending(rollUp(data.rows, (row) => row.agentId ?? unattributed));
          const byDay = rollUp(data.rows, (row) => row.day ?? '').sort((a, b) =>
            a.key.localeCompare(b.key),
          );
          return (
            <>
              <p className="total">
                Total:{' '}
                <strong data-testid="usage-total">
                  {formatUsd(sumUsd(byAgent.map((row) => row.costUsd)), 9)}
                </strong>{' '}
                for {formatTokens(byAgent.reduce((n, row) => n + row.totalTokens, 0))} tokens
              </p>
              <PerDayByAgent
                rows={data.rows}
                agents={byAgent.map((a) => a.key)}
                nameOf={agentName}
              />
              <UsageBlock
                title="By agent"
                label="Agent"
                rows={byAgent}
                labelOf={agentName}
                file="usage-by-agent.csv"
              />
              <UsageBlock
                title="By model"
                label="Model"
                rows={byCostDescending(rollUp(data.rows, (row) => row.model ?? unattributed))}
                labelOf={(key) => key}
                file="usage-by-model.csv"
              />
              <UsageBlock
                title="By day"
                label="Day"
                rows={byDay}
                labelOf={(key) => key}
                file="usage-by-day.csv"
              />
              <UsageBlock
                title="By end user"
                label="End user"
                rows={byCostDescending(rollUp(data.attribution, (row) => row.user ?? unattributed))}
                labelOf={(key) => (key === unattributed ? 'no end user' : key)}
                file="usage-by-user.csv"
              />
              <UsageBlock
                title="By API key"
                label="API key"
                rows={byCostDescending(
                  rollUp(data.attribution, (row) => row.apiKeyId ?? unattributed),
                )}
                labelOf={keyName}
                file="usage-by-api-key.csv"
              />
              <h2>Budgets</h2>
              <Budgets
                budgets={[
                  ...data.agents.map((agent) => ({
                    kind: 'Agent',
                    name: agent.name,
                    daily: agent.budgetDailyUsd,
                    monthly: agent.budgetMonthlyUsd,
                    rows: data.monthByAgent.filter((row) => row.agentId === agent.id),
                  })),
                  ...data.keys.map((key) => ({
                    kind: 'API key',
                    name: keyNames.get(key.id) ?? key.name,
                    daily: key.budgetDailyUsd,
                    monthly: key.budgetMonthlyUsd,
                    rows: data.monthByKey.filter((row) => row.apiKeyId === key.id),
                  })),
                ]}
              />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

const CSV_HEADER = [
  'executions',
  'succeeded',
  'failed',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_usd',
];
const csvFigures = (row: UsageFigures) => [
  row.executions,
  row.succeeded,
  row.failed,
  row.promptTokens,
  row.completionTokens,
  row.totalTokens,
  row.costUsd,
];

function CsvLink({ file, csv }: { file: string; csv: string }) {
  return (
    <a
      className="button"
      download={file}
      href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`}
    >
      Download {file}
    </a>
  );
}

function FiguresTable({
  caption,
  headers,
  rows,
}: {
  caption: string;
  headers: string[];
  rows: { key: string; cells: string[]; figures: UsageFigures }[];
}) {
  return (
    <table aria-label={caption}>
      <thead>
        <tr>
          {headers.map((header) => (
            <th key={header}>{header}</th>
          ))}
          <th>Executions</th>
          <th>Tokens</th>
          <th>Cost (USD)</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            {row.cells.map((cell, i) => (
              <td key={i}>{cell}</td>
            ))}
            <td>{row.figures.executions}</td>
            <td>{formatTokens(row.figures.totalTokens)}</td>
            <td className="money">{row.figures.costUsd}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Cost and tokens per day, each day's bar stacked from its agents.
function PerDayByAgent({
  rows,
  agents,
  nameOf,
}: {
  rows: UsageRow[];
  agents: string[];
  nameOf(agentId: string): string;
}) {
  // By day, then in the order of the agents' totals (largest first), as the bars stack.
  const rank = (key: string) => agents.indexOf(key.split('|')[1]);
  const cells = rollUp(rows, (row) => `${row.day}|${row.agentId ?? unattributed}`).sort(
    (a, b) => a.key.slice(0, 10).localeCompare(b.key.slice(0, 10)) || rank(a.key) - rank(b.key),
  );
  const days = [...new Set(cells.map((cell) => cell.key.split('|')[0]))];
  const find = (day: string, agent: string) => cells.find((cell) => cell.key === `${day}|${agent}`);
  const series = (value: (cell: Figures | undefined) => number) =>
    days.map((day) => ({ label: day, values: agents.map((agent) => value(find(day, agent))) }));
  const csv = toCsv(
    ['day', 'agent', ...CSV_HEADER],
    cells.map((cell) => {
      const [day, agent] = cell.key.split('|');
      return [day, nameOf(agent), ...csvFigures(cell)];
    }),
  );
  return (
    <div className="usage-block">
      <h2>Per day by agent</h2>
      <div className="chart-pair">
        <StackedBarChart
          title="Cost per day by agent (USD)"
          series={agents.map(nameOf)}
          rows={series((cell) => Number(cell?.costUsd ?? 0))}
        />
        <StackedBarChart
          title="Tokens per day by agent"
          series={agents.map(nameOf)}
          rows={series((cell) => cell?.totalTokens ?? 0)}
        />
        <FiguresTable
          caption="Per day by agent: exact figures"
          headers={['Day', 'Agent']}
          rows={cells.map((cell) => {
            const [day, agent] = cell.key.split('|');
            return { key: cell.key, cells: [day, nameOf(agent)], figures: cell };
          })}
        />
      </div>
      <CsvLink file="usage-per-day-by-agent.csv" csv={csv} />
    </div>
  );
}

function UsageBlock({
  title,
  label,
  rows,
  labelOf,
  file,
}: {
  title: string;
  label: string;
  rows: Figures[];
  labelOf(key: string): string;
  file: string;
}) {
  const csv = toCsv(
    [label.toLowerCase().replace(/ /g, '_'), ...CSV_HEADER],
    rows.map((row) => [labelOf(row.key), ...csvFigures(row)]),
  );
  return (
    <div className="usage-block">
      <h2>{title}</h2>
      <div className="chart-pair">
        <BarChart
          title={`Cost ${title.replace(/^By/, 'by')} (USD)`}
          bars={rows.map((row) => ({ label: labelOf(row.key), value: Number(row.costUsd) }))}
        />
        <BarChart
          title={`Tokens ${title.replace(/^By/, 'by')}`}
          bars={rows.map((row) => ({ label: labelOf(row.key), value: row.totalTokens }))}
        />
        <FiguresTable
          caption={`${title}: exact figures`}
          headers={[label]}
          rows={rows.map((row) => ({ key: row.key, cells: [labelOf(row.key)], figures: row }))}
        />
      </div>
      <CsvLink file={file} csv={csv} />
    </div>
  );
}

interface Budget {
  kind: string;
  name: string;
  daily: string | null;
  monthly: string | null;
  /** This month's usage of what the budget covers, by day. */
  rows: UsageRow[];
}

function Budgets({ budgets }: { budgets: Budget[] }) {
  const limits = budgets.flatMap((budget) => {
    const spentToday = sumUsd(
      budget.rows.filter((row) => row.day === today()).map((row) => row.costUsd),
    );
    const spentMonth = sumUsd(budget.rows.map((row) => row.costUsd));
    return [
      budget.daily ? { ...budget, period: 'today', limit: budget.daily, spent: spentToday } : null,
      budget.monthly
        ? { ...budget, period: 'this month', limit: budget.monthly, spent: spentMonth }
        : null,
    ].filter((limit) => limit !== null);
  });
  if (limits.length === 0) return <div className="empty">No agent or API key has a budget.</div>;
  return (
    <table aria-label="Budgets">
      <thead>
        <tr>
          <th>Budget of</th>
          <th>Period</th>
          <th>Spent (USD)</th>
          <th>Limit (USD)</th>
          <th>Used</th>
        </tr>
      </thead>
      <tbody>
        {limits.map((limit) => {
          const percent = spentPercent(limit.spent, limit.limit);
          return (
            <tr key={`${limit.kind}|${limit.name}|${limit.period}`}>
              <td>
                {limit.kind} {limit.name}
              </td>
              <td>{limit.period}</td>
              <td className="money">{limit.spent}</td>
              <td className="money">{limit.limit}</td>
              <td>
                <meter
                  min={0}
                  max={100}
                  value={Math.min(100, percent)}
                  aria-label={`${limit.name}, ${limit.period}: ${percent}% of its budget`}
                />{' '}
                {percent}%
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
