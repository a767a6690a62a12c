import { Link } from 'wouter';
import { api, unwrap } from '../api';
import { formatTime, formatUsd } from '../format';
import { useLoad } from '../hooks';
import { Loaded, StatusBadge } from '../ui';

export function PlansPage() {
  const plans = useLoad(
    async () => unwrap(await api.GET('/v1/plans', { params: { query: { limit: 100 } } })),
    'plans',
  );
  return (
    <section>
      <h1>Plans</h1>
      <Loaded
        value={plans}
        isEmpty={(page) => page.data.length === 0}
        empty="No plans yet. Create one with POST /v1/plans."
      >
        {(page) => (
          <table>
            <thead>
              <tr>
                <th>Plan</th>
                <th>Status</th>
                <th>Tasks done</th>
                <th>Cost</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((plan) => (
                <tr key={plan.id}>
                  <td>
                    <Link href={`/plans/${plan.id}`}>{plan.title}</Link>
                  </td>
                  <td>
                    <StatusBadge status={plan.status} />
                  </td>
                  <td>
                    {plan.progress.succeeded} / {plan.progress.total}
                  </td>
                  <td>{formatUsd(plan.usage.costUsd)}</td>
                  <td>{formatTime(plan.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}
