import { useLocation, useSearch } from 'wouter';
import type { components } from '@agentq/client';
import { api, unwrap } from '../api';
import { filtersToSearch, formatTokens, formatUsd, spentPercent, sumUsd, toCsv } from '../format';
import { useLoad } from '../hooks';
import { BarChart, Loaded } from '../ui';

type UsageRow = components['schemas']['UsageRowView'];

const monthStart = () => new Date().toISOString().slice(0, 8) + '01';

/** Cost and tokens per day by agent and by model, budgets, exact tables and CSV export. */
export function UsagePage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const from = params.get('from') ?? monthStart();
  const to = params.get('to') ?? undefined;
  // Three reads, all at once: no request waits for another.
  const usage = useLoad(async () => {
    const [byAgent, byModel, byDay, agents, thisMonth] = await Promise.all([
      api.GET('/v1/usage', { params: { query: { from, to, groupBy: ['agent'] } } }),
      api.GET('/v1/usage', { params: { query: { from, to, groupBy: ['model'] } } }),
      api.GET('/v1/usage', { params: { query: { from, to, groupBy: ['day'] } } }),
      api.GET('/v1/agents', { params: { query: { limit: 100 } } }),
      api.GET('/v1/usage', { params: { query: { from: monthStart(), groupBy: ['agent'] } } }),
    ]);
    return {
      byAgent: unwrap(byAgent).data,
      byModel: unwrap(byModel).data,
      byDay: unwrap(byDay).data,
      agents: unwrap(agents).data,
      thisMonth: unwrap(thisMonth).data,
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
          To (exclusive)
          <input type="date" name="to" defaultValue={to} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <Loaded
        value={usage}
        isEmpty={(data) => data.byAgent.length === 0}
        empty="No usage in this period."
      >
        {(data) => {
          const names = new Map(data.agents.map((agent) => [agent.id, agent.name]));
          const agentLabel = (row: UsageRow) =>
            row.agentId ? (names.get(row.agentId) ?? row.agentId.slice(0, 8)) : 'deleted agents';
          return (
            <>
              <p className="total">
                Total:{' '}
                <strong data-testid="usage-total">
                  {formatUsd(sumUsd(data.byAgent.map((row) => row.costUsd)), 9)}
                </strong>{' '}
                for {formatTokens(data.byAgent.reduce((n, row) => n + row.totalTokens, 0))} tokens
              </p>
              <UsageBlock
                title="Cost by agent"
                label="Agent"
                rows={data.byAgent}
                labelOf={agentLabel}
                file="usage-by-agent.csv"
              />
              <UsageBlock
                title="Cost by model"
                label="Model"
                rows={data.byModel}
                labelOf={(row) => row.model ?? '—'}
                file="usage-by-model.csv"
              />
              <UsageBlock
                title="Cost by day"
                label="Day"
                rows={data.byDay}
                labelOf={(row) => row.day ?? '—'}
                file="usage-by-day.csv"
              />
              <h2>Budgets this month</h2>
              <Budgets agents={data.agents} spent={data.thisMonth} />
            </>
          );
        }}
      </Loaded>
    </section>
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
  rows: UsageRow[];
  labelOf(row: UsageRow): string;
  file: string;
}) {
  const csv = toCsv(
    [
      label,
      'executions',
      'succeeded',
      'failed',
      'prompt_tokens',
      'completion_tokens',
      'total_tokens',
      'cost_usd',
    ],
    rows.map((row) => [
      labelOf(row),
      row.executions,
      row.succeeded,
      row.failed,
      row.promptTokens,
      row.completionTokens,
      row.totalTokens,
      row.costUsd,
    ]),
  );
  return (
    <div className="usage-block">
      <h2>{title}</h2>
      <BarChart
        title={`${title} (USD)`}
        bars={rows.map((row) => ({ label: labelOf(row), value: Number(row.costUsd) }))}
      />
      <table aria-label={`${title}: exact figures`}>
        <thead>
          <tr>
            <th>{label}</th>
            <th>Executions</th>
            <th>Tokens</th>
            <th>Cost (USD)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={labelOf(row)}>
              <td>{labelOf(row)}</td>
              <td>{row.executions}</td>
              <td>{formatTokens(row.totalTokens)}</td>
              <td className="money">{row.costUsd}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <a
        className="button"
        download={file}
        href={`data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`}
      >
        Download {file}
      </a>
    </div>
  );
}

function Budgets({
  agents,
  spent,
}: {
  agents: components['schemas']['AgentView'][];
  spent: UsageRow[];
}) {
  const budgeted = agents.filter((agent) => agent.budgetMonthlyUsd);
  if (budgeted.length === 0) return <div className="empty">No agent has a monthly budget.</div>;
  return (
    <table aria-label="Budgets">
      <thead>
        <tr>
          <th>Agent</th>
          <th>Spent</th>
          <th>Monthly budget</th>
          <th>Used</th>
        </tr>
      </thead>
      <tbody>
        {budgeted.map((agent) => {
          const cost = spent.find((row) => row.agentId === agent.id)?.costUsd ?? '0';
          const percent = spentPercent(cost, agent.budgetMonthlyUsd ?? '0');
          return (
            <tr key={agent.id}>
              <td>{agent.name}</td>
              <td className="money">{cost}</td>
              <td className="money">{agent.budgetMonthlyUsd}</td>
              <td>
                <meter
                  min={0}
                  max={100}
                  value={Math.min(100, percent)}
                  aria-label={`${agent.name}: ${percent}% of its budget`}
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
