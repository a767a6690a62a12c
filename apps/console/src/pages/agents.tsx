import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import type { components } from '@agentq/client';
import { api, errorMessage, unwrap } from '../api';
import { formatDuration, formatTime, formatTokens, formatUsd } from '../format';
import { useLoad } from '../hooks';
import { useSession } from '../session';
import { Field, Json, Loaded, StatusBadge } from '../ui';

type CreateAgent = components['schemas']['CreateAgentDto'];

export function AgentsPage() {
  const { canWrite } = useSession();
  const agents = useLoad(
    async () => unwrap(await api.GET('/v1/agents', { params: { query: { limit: 100 } } })),
    'agents',
  );
  return (
    <section>
      <h1>Agents</h1>
      {canWrite && (
        <p>
          <Link href="/agents/new" className="button">
            New agent
          </Link>
        </p>
      )}
      <Loaded value={agents} isEmpty={(page) => page.data.length === 0} empty="No agents yet.">
        {(page) => (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Model</th>
                <th>Status</th>
                <th>Max concurrency</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((agent) => (
                <tr key={agent.id}>
                  <td>
                    <Link href={`/agents/${agent.id}`}>{agent.name}</Link>
                  </td>
                  <td>{agent.role}</td>
                  <td>{agent.llmConfig.model}</td>
                  <td>
                    <StatusBadge status={agent.status} />
                  </td>
                  <td>{agent.maxConcurrency ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}

export function AgentDetailPage({ id }: { id: string }) {
  const { canWrite } = useSession();
  // Both reads at once: one round trip.
  const detail = useLoad(async () => {
    const [agent, stats] = await Promise.all([
      api.GET('/v1/agents/{id}', { params: { path: { id } } }),
      api.GET('/v1/agents/{id}/stats', { params: { path: { id } } }),
    ]);
    return [unwrap(agent), unwrap(stats)] as const;
  }, id);
  return (
    <section>
      <p className="crumbs">
        <Link href="/agents">Agents</Link> / {id.slice(0, 8)}
      </p>
      <Loaded value={detail}>
        {([agent, stats]) => (
          <>
            <h1>
              {agent.name} <StatusBadge status={agent.status} />
            </h1>
            {canWrite && (
              <p>
                <Link href={`/agents/${agent.id}/edit`} className="button">
                  Edit
                </Link>{' '}
                <Link href={`/runs?agentId=${agent.id}`}>Runs of this agent</Link>
              </p>
            )}
            <h2>Configuration</h2>
            <dl className="facts">
              <Field label="Role">{agent.role}</Field>
              <Field label="Goal">{agent.goal ?? '—'}</Field>
              <Field label="Model">{agent.llmConfig.model}</Field>
              <Field label="Provider">{agent.providerId ?? '—'}</Field>
              <Field label="Max concurrency">{agent.maxConcurrency ?? 'unlimited'}</Field>
              <Field label="Max steps">{agent.maxSteps}</Field>
              <Field label="Daily budget">{formatUsd(agent.budgetDailyUsd, 2)}</Field>
              <Field label="Monthly budget">{formatUsd(agent.budgetMonthlyUsd, 2)}</Field>
              <Field label="Memory">{agent.enableMemory ? 'on' : 'off'}</Field>
              <Field label="Streams">{agent.stream ? 'yes' : 'no'}</Field>
            </dl>
            <h2>Tools</h2>
            {agent.tools.length === 0 ? (
              <div className="empty">No tools.</div>
            ) : (
              <Json value={agent.tools} />
            )}
            <h2>Stats</h2>
            <dl className="facts">
              <Field label="Executions">
                {stats.totalExecutions} ({stats.successfulExecutions} succeeded,{' '}
                {stats.failedExecutions} failed)
              </Field>
              <Field label="Running / waiting">
                {stats.running} / {stats.waiting}
              </Field>
              <Field label="Tokens">{formatTokens(stats.totalTokens)}</Field>
              <Field label="Cost">{formatUsd(stats.totalCostUsd, 9)}</Field>
              <Field label="Average response">{formatDuration(stats.avgResponseTimeMs)}</Field>
              <Field label="Today / week / month">
                {stats.executionsToday} / {stats.executionsThisWeek} / {stats.executionsThisMonth}
              </Field>
              <Field label="Last run">{formatTime(stats.lastExecutedAt)}</Field>
            </dl>
          </>
        )}
      </Loaded>
    </section>
  );
}

interface FieldProblem {
  field: string;
  message: string;
}

/** Create or edit: the API validates, and its field errors show beside the fields. */
export function AgentFormPage({ id }: { id?: string }) {
  const [, navigate] = useLocation();
  const existing = useLoad(
    async () =>
      id ? unwrap(await api.GET('/v1/agents/{id}', { params: { path: { id } } })) : null,
    id ?? 'new',
  );
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const problemOf = (field: string) =>
    problems
      .filter((p) => p.field === field || p.field.startsWith(`${field}.`))
      .map((p) => p.message)
      .join('; ');

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const concurrency = text('maxConcurrency');
    const body: CreateAgent = {
      name: text('name'),
      role: text('role'),
      goal: text('goal') || undefined,
      llmConfig: { model: text('model') },
      ...(concurrency ? { maxConcurrency: Number(concurrency) } : {}),
    };
    const result = id
      ? await api.PATCH('/v1/agents/{id}', { params: { path: { id } }, body })
      : await api.POST('/v1/agents', { body });
    if (result.data) {
      navigate(`/agents/${result.data.id}`);
      return;
    }
    const details = (result.error as { error?: { details?: unknown } } | undefined)?.error?.details;
    setProblems(Array.isArray(details) ? (details as FieldProblem[]) : []);
    setFailure(errorMessage(result.error));
  };

  return (
    <section>
      <h1>{id ? 'Edit agent' : 'New agent'}</h1>
      <Loaded value={existing}>
        {(agent) => (
          <form className="agent-form" onSubmit={submit} noValidate>
            {[
              ['name', 'Name', agent?.name],
              ['role', 'Role', agent?.role],
              ['goal', 'Goal', agent?.goal ?? ''],
              ['model', 'Model', agent?.llmConfig.model],
              ['maxConcurrency', 'Max concurrency', agent?.maxConcurrency?.toString() ?? ''],
            ].map(([name, label, value]) => {
              const problem = problemOf(name === 'model' ? 'llmConfig' : (name ?? ''));
              return (
                <div key={name} className="form-row">
                  <label htmlFor={`agent-${name}`}>{label}</label>
                  <input
                    id={`agent-${name}`}
                    name={name}
                    defaultValue={value ?? ''}
                    aria-invalid={problem ? true : undefined}
                    aria-describedby={problem ? `agent-${name}-problem` : undefined}
                  />
                  {problem && (
                    <span id={`agent-${name}-problem`} className="field-error">
                      {problem}
                    </span>
                  )}
                </div>
              );
            })}
            <button type="submit">{id ? 'Save' : 'Create'}</button>
            {failure && (
              <p className="error" role="alert">
                {failure}
              </p>
            )}
          </form>
        )}
      </Loaded>
    </section>
  );
}
