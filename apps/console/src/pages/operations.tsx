import { useState } from 'react';
import { Link } from 'wouter';
import { api, unwrap } from '../api';
import { formatTime } from '../format';
import { useLoad } from '../hooks';
import { useSession } from '../session';
import { ColumnChart } from '../charts';
import { ErrorState, Loaded, StatusBadge } from '../ui';

/** Queue depth by state, throughput, workers, schedules, webhook deliveries. */
export function OperationsPage() {
  const { session } = useSession();
  return (
    <section>
      <h1>Operations</h1>
      {session?.admin ? (
        <>
          <p>
            Queues in detail: <a href="/admin/queues">Bull Board</a> (asks for the admin token).
          </p>
          <Workers />
        </>
      ) : (
        <TenantOperations />
      )}
    </section>
  );
}

function Workers() {
  const workers = useLoad(async () => unwrap(await api.GET('/v1/workers')), 'workers');
  return (
    <>
      <h2>Workers</h2>
      <Loaded value={workers} isEmpty={(list) => list.data.length === 0} empty="No live workers.">
        {(list) => (
          <table aria-label="Workers">
            <thead>
              <tr>
                <th>Worker</th>
                <th>Host</th>
                <th>Concurrency</th>
                <th>Jobs done</th>
                <th>Last heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((worker) => (
                <tr key={worker.id}>
                  <td>{worker.id}</td>
                  <td>
                    {worker.host} (pid {worker.pid})
                  </td>
                  <td>{worker.concurrency}</td>
                  <td>
                    {worker.jobsCompleted} ok, {worker.jobsFailed} failed
                  </td>
                  <td>{formatTime(worker.lastHeartbeatAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </>
  );
}

const STATES = ['waiting', 'delayed', 'active', 'requiresAction'] as const;
const STATE_NAMES: Record<(typeof STATES)[number], string> = {
  waiting: 'Waiting',
  delayed: 'Delayed',
  active: 'Active',
  requiresAction: 'Requires action',
};
const OUTCOMES = ['succeeded', 'failed', 'cancelled'] as const;

function TenantOperations() {
  // Every read at once (one round trip), then each webhook's recent deliveries (a second).
  const data = useLoad(async () => {
    const [operations, agents, schedules, webhooks] = await Promise.all([
      api.GET('/v1/operations', { params: { query: { minutes: 60 } } }),
      api.GET('/v1/agents', { params: { query: { limit: 100 } } }),
      api.GET('/v1/schedules', { params: { query: { limit: 100 } } }),
      api.GET('/v1/webhooks', { params: { query: { limit: 100 } } }),
    ]);
    const deliveries = await Promise.all(
      unwrap(webhooks).data.map(
        async (hook) =>
          unwrap(
            await api.GET('/v1/webhooks/{id}/deliveries', {
              params: { path: { id: hook.id }, query: { limit: 20 } },
            }),
          ).data,
      ),
    );
    return {
      operations: unwrap(operations),
      agents: unwrap(agents).data,
      schedules: unwrap(schedules).data,
      deliveries: deliveries.flat(),
    };
  }, 'operations');
  return (
    <Loaded value={data}>
      {(data) => {
        const names = new Map(data.agents.map((agent) => [agent.id, agent.name]));
        const { queue, finished, throughput, workers, minutes } = data.operations;
        return (
          <>
            <h2>Queue by state</h2>
            <table aria-label="Queue depth">
              <thead>
                <tr>
                  <th>Agent</th>
                  {STATES.map((state) => (
                    <th key={state}>{STATE_NAMES[state]}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.operations.byAgent.map((row) => (
                  <tr key={row.agentId}>
                    <td>
                      <Link href={`/agents/${row.agentId}`}>
                        {names.get(row.agentId) ?? row.agentId.slice(0, 8)}
                      </Link>
                    </td>
                    {STATES.map((state) => (
                      <td key={state}>{row[state]}</td>
                    ))}
                  </tr>
                ))}
                <tr className="total-row">
                  <th scope="row">All agents</th>
                  {STATES.map((state) => (
                    <td key={state} data-testid={`queue-${state}`}>
                      {queue[state]}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
            <p className="muted">
              Workers: {workers.live} live, {workers.concurrency} jobs at once in all (shared by
              every tenant).
            </p>
            <h2>Throughput</h2>
            <div className="chart-pair">
              <ColumnChart
                title={`Executions finished per minute, last ${minutes} minutes`}
                series={OUTCOMES.map((outcome) => outcome)}
                columns={throughput.map((minute) => ({
                  label: formatTime(minute.minute).slice(11, 16),
                  values: OUTCOMES.map((outcome) => minute[outcome]),
                }))}
              />
              <table aria-label="Finished in the window">
                <thead>
                  <tr>
                    <th>Ended</th>
                    <th>Last {minutes} min</th>
                    <th>Per minute</th>
                  </tr>
                </thead>
                <tbody>
                  {OUTCOMES.map((outcome) => (
                    <tr key={outcome}>
                      <td>{outcome}</td>
                      <td data-testid={`finished-${outcome}`}>{finished[outcome]}</td>
                      <td>{(finished[outcome] / minutes).toFixed(2)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h2>Schedules</h2>
            {data.schedules.length === 0 ? (
              <div className="empty">No schedules.</div>
            ) : (
              <table aria-label="Schedules">
                <thead>
                  <tr>
                    <th>Cron</th>
                    <th>Agent</th>
                    <th>Enabled</th>
                    <th>Next run</th>
                    <th>Last run</th>
                  </tr>
                </thead>
                <tbody>
                  {data.schedules.map((schedule) => (
                    <tr key={schedule.id}>
                      <td>
                        <code>{schedule.cron}</code> ({schedule.timezone})
                      </td>
                      <td>
                        <Link href={`/agents/${schedule.agentId}`}>
                          {names.get(schedule.agentId) ?? schedule.agentId.slice(0, 8)}
                        </Link>
                      </td>
                      <td>{schedule.enabled ? 'yes' : 'no'}</td>
                      <td>{formatTime(schedule.nextRunAt)}</td>
                      <td>{formatTime(schedule.lastRunAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>Webhook deliveries</h2>
            {data.deliveries.length === 0 ? (
              <div className="empty">No deliveries.</div>
            ) : (
              <Deliveries deliveries={data.deliveries} />
            )}
          </>
        );
      }}
    </Loaded>
  );
}

type Delivery = {
  id: string;
  webhookId: string;
  eventType: string;
  status: string;
  attemptCount: number;
  lastStatusCode?: number | null;
  createdAt: string;
};

function Deliveries({ deliveries }: { deliveries: Delivery[] }) {
  const { canWrite } = useSession();
  const [problem, setProblem] = useState<string | null>(null);
  const [sent, setSent] = useState<Record<string, boolean>>({});
  const redeliver = async (delivery: Delivery) => {
    const result = await api.POST('/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', {
      params: { path: { id: delivery.webhookId, deliveryId: delivery.id } },
    });
    if (result.error) setProblem(result.error.error.message);
    else setSent({ ...sent, [delivery.id]: true });
  };
  return (
    <>
      {problem && <ErrorState message={problem} />}
      <table aria-label="Webhook deliveries">
        <thead>
          <tr>
            <th>Event</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Created</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id}>
              <td>{delivery.eventType}</td>
              <td>
                <StatusBadge status={delivery.status} />
              </td>
              <td>{delivery.attemptCount}</td>
              <td>{formatTime(delivery.createdAt)}</td>
              <td>
                {canWrite && (
                  <button
                    type="button"
                    disabled={sent[delivery.id]}
                    onClick={() => void redeliver(delivery)}
                  >
                    {sent[delivery.id] ? 'Queued' : 'Redeliver'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
