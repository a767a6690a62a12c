import { useState } from 'react';
import { Link } from 'wouter';
import { api, unwrap } from '../api';
import { formatTime } from '../format';
import { useLoad } from '../hooks';
import { useSession } from '../session';
import { ErrorState, Loaded, StatusBadge } from '../ui';

/** Queue depth per agent, throughput, workers, schedules, webhook deliveries. */
export function OperationsPage() {
  const { session } = useSession();
  return (
    <section>
      <h1>Operations</h1>
      <p>
        Queues in detail: <a href="/admin/queues">Bull Board</a> (asks for the admin token).
      </p>
      {session?.admin ? <Workers /> : <TenantOperations />}
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

function TenantOperations() {
  // All reads at once (one round trip), then one per agent for its queue depth (a second).
  const data = useLoad(async () => {
    const [agents, schedules, webhooks, today] = await Promise.all([
      api.GET('/v1/agents', { params: { query: { limit: 100 } } }),
      api.GET('/v1/schedules', { params: { query: { limit: 100 } } }),
      api.GET('/v1/webhooks', { params: { query: { limit: 100 } } }),
      api.GET('/v1/usage', {
        params: { query: { from: new Date().toISOString().slice(0, 10), groupBy: ['agent'] } },
      }),
    ]);
    const agentList = unwrap(agents).data;
    const [stats, deliveries] = await Promise.all([
      Promise.all(
        agentList.map(async (agent) =>
          unwrap(await api.GET('/v1/agents/{id}/stats', { params: { path: { id: agent.id } } })),
        ),
      ),
      Promise.all(
        unwrap(webhooks).data.map(
          async (hook) =>
            unwrap(
              await api.GET('/v1/webhooks/{id}/deliveries', {
                params: { path: { id: hook.id }, query: { limit: 20 } },
              }),
            ).data,
        ),
      ),
    ]);
    return {
      agents: agentList,
      stats,
      schedules: unwrap(schedules).data,
      deliveries: deliveries.flat(),
      today: unwrap(today).data,
    };
  }, 'operations');
  return (
    <Loaded value={data}>
      {(data) => (
        <>
          <h2>Queue depth by agent</h2>
          {data.agents.length === 0 ? (
            <div className="empty">No agents.</div>
          ) : (
            <table aria-label="Queue depth">
              <thead>
                <tr>
                  <th>Agent</th>
                  <th>Waiting</th>
                  <th>Running</th>
                  <th>Finished today</th>
                </tr>
              </thead>
              <tbody>
                {data.agents.map((agent, i) => (
                  <tr key={agent.id}>
                    <td>
                      <Link href={`/agents/${agent.id}`}>{agent.name}</Link>
                    </td>
                    <td>{data.stats[i].waiting}</td>
                    <td>{data.stats[i].running}</td>
                    <td>{data.today.find((row) => row.agentId === agent.id)?.executions ?? 0}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
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
                        {schedule.agentId.slice(0, 8)}
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
      )}
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
