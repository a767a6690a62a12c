import { ApiProperty } from '@nestjs/swagger';

export class QueueDepthView {
  @ApiProperty({ type: 'integer', description: 'queued and due, waiting for a worker' })
  waiting!: number;
  @ApiProperty({
    type: 'integer',
    description: 'queued with a future runAt (delay, retry backoff)',
  })
  delayed!: number;
  @ApiProperty({ type: 'integer', description: 'running on a worker' }) active!: number;
  @ApiProperty({ type: 'integer', description: 'paused for tool outputs or an approval' })
  requiresAction!: number;
}

export class AgentQueueDepthView extends QueueDepthView {
  @ApiProperty({ format: 'uuid' }) agentId!: string;
}

export class FinishedCountsView {
  @ApiProperty({ type: 'integer' }) succeeded!: number;
  @ApiProperty({ type: 'integer' }) failed!: number;
  @ApiProperty({ type: 'integer' }) cancelled!: number;
}

export class FinishedMinuteView extends FinishedCountsView {
  @ApiProperty({ description: 'the start of the minute (UTC)' }) minute!: Date;
}

export class WorkerCapacityView {
  @ApiProperty({ type: 'integer', description: 'worker processes with a recent heartbeat' })
  live!: number;
  @ApiProperty({ type: 'integer', description: 'their concurrency, summed: jobs at once' })
  concurrency!: number;
}

/** GET /v1/operations: what the tenant's queue holds now and what it finished lately. */
export class OperationsView {
  @ApiProperty({ description: 'when the counts were taken' }) at!: Date;
  @ApiProperty({ type: QueueDepthView, description: "the tenant's unfinished executions" })
  queue!: QueueDepthView;
  @ApiProperty({ type: [AgentQueueDepthView], description: 'the same, per agent with any' })
  byAgent!: AgentQueueDepthView[];
  @ApiProperty({ type: 'integer', description: 'the throughput window, in minutes' })
  minutes!: number;
  @ApiProperty({ type: FinishedCountsView, description: 'executions ended in the window' })
  finished!: FinishedCountsView;
  @ApiProperty({
    type: [FinishedMinuteView],
    description: 'executions ended per minute in the window, oldest first; every minute listed',
  })
  throughput!: FinishedMinuteView[];
  @ApiProperty({
    type: WorkerCapacityView,
    description: 'the shared worker pool (counts only: hosts are for the admin, GET /v1/workers)',
  })
  workers!: WorkerCapacityView;
}
