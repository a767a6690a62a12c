import { Inject, Injectable, Optional } from '@nestjs/common';
import { METRICS_REGISTRY } from '@agentq/metrics';
import { Counter, Registry } from 'prom-client';

export type ReconcilerAction = 'requeued' | 'retried' | 'failed' | 'action_timeout';
export type ReconcilerRunResult = 'ok' | 'error';

/** `agentq_reconciler_actions_total{action}` and `agentq_reconciler_runs_total{result}`. */
@Injectable()
export class ReconcilerMetrics {
  private readonly actions?: Counter<'action'>;
  private readonly runs?: Counter<'result'>;

  constructor(@Optional() @Inject(METRICS_REGISTRY) registry?: Registry) {
    if (!registry) return;
    this.actions = new Counter({
      name: 'agentq_reconciler_actions_total',
      help: 'Executions the reconciler enqueued again (requeued), retried or failed after their worker was lost, or failed past their action deadline (action_timeout)',
      labelNames: ['action'],
      registers: [registry],
    });
    this.runs = new Counter({
      name: 'agentq_reconciler_runs_total',
      help: 'Reconciler runs in this worker, by result',
      labelNames: ['result'],
      registers: [registry],
    });
  }

  count(action: ReconcilerAction): void {
    this.actions?.inc({ action });
  }

  run(result: ReconcilerRunResult): void {
    this.runs?.inc({ result });
  }
}
