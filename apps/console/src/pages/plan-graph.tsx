import { useState } from 'react';
import { Link } from 'wouter';
import { api, unwrap } from '../api';
import { formatTime, formatUsd } from '../format';
import { useEventSource, useLoad } from '../hooks';
import { layoutPlan } from '../plan-layout';
import { Field, Loaded, StatusBadge } from '../ui';

const TERMINAL = ['succeeded', 'failed', 'cancelled'];

interface TaskEvent {
  key: string;
  status: string;
  executionId: string | null;
}

/** A plan's task graph laid out with dagre, nodes coloured by status, live over SSE. */
export default function PlanGraphPage({ id }: { id: string }) {
  const plan = useLoad(
    async () => unwrap(await api.GET('/v1/plans/{id}', { params: { path: { id } } })),
    id,
  );
  const live = plan.state === 'ready' && !TERMINAL.includes(plan.data.status);
  // Task transitions recolour their node in place; the plan's own end re-reads it.
  const [overrides, setOverrides] = useState<Record<string, TaskEvent>>({});
  useEventSource(live ? `/v1/plans/${id}/events` : null, {
    task: (data) => {
      const event = data as TaskEvent;
      setOverrides((previous) => ({ ...previous, [event.key]: event }));
    },
    plan: () => plan.reload(),
  });
  return (
    <section>
      <p className="crumbs">
        <Link href="/plans">Plans</Link> / {id.slice(0, 8)}
      </p>
      <Loaded value={plan}>
        {(plan) => {
          const graph = layoutPlan(
            plan.tasks.map((task) => ({ key: task.key, dependsOn: task.dependsOn })),
          );
          const byKey = new Map(
            plan.tasks.map((task) => [task.key, { ...task, ...overrides[task.key] }]),
          );
          return (
            <>
              <h1>
                {plan.title} <StatusBadge status={plan.status} />
              </h1>
              <dl className="facts">
                <Field label="Tasks">
                  {plan.progress.succeeded} of {plan.progress.total} succeeded
                </Field>
                <Field label="Cost">{formatUsd(plan.usage.costUsd, 9)}</Field>
                <Field label="Created">{formatTime(plan.createdAt)}</Field>
              </dl>
              <svg
                className="plan-graph"
                role="group"
                aria-label={`Task graph of ${plan.title}`}
                width={graph.width}
                height={graph.height}
                viewBox={`0 0 ${graph.width} ${graph.height}`}
              >
                <defs>
                  <marker
                    id="arrow"
                    viewBox="0 0 10 10"
                    refX="10"
                    refY="5"
                    markerWidth="6"
                    markerHeight="6"
                    orient="auto"
                  >
                    <path d="M0,0 L10,5 L0,10 z" />
                  </marker>
                </defs>
                {graph.edges.map((edge) => (
                  <polyline
                    key={`${edge.from}-${edge.to}`}
                    className="edge"
                    points={edge.points.map((p) => `${p.x},${p.y}`).join(' ')}
                    markerEnd="url(#arrow)"
                  />
                ))}
                {graph.nodes.map((node) => {
                  const task = byKey.get(node.key);
                  const body = (
                    <g
                      className={`node node-${task?.status}`}
                      data-testid={`plan-node-${node.key}`}
                    >
                      <rect x={node.x} y={node.y} width={node.width} height={node.height} rx={6} />
                      <text x={node.x + 10} y={node.y + 22}>
                        {(task?.title ?? node.key).slice(0, 22)}
                      </text>
                      <text x={node.x + 10} y={node.y + 42} className="muted">
                        {task?.status}
                      </text>
                    </g>
                  );
                  return task?.executionId ? (
                    <a key={node.key} href={`/console/runs/${task.executionId}`}>
                      {body}
                    </a>
                  ) : (
                    <g key={node.key}>{body}</g>
                  );
                })}
              </svg>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
