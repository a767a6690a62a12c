import { ApiProperty } from '@nestjs/swagger';
import { WorkerRegistration } from '@agentq/database';

/** The public shape of a live worker (GET /v1/workers). */
export class WorkerView {
  @ApiProperty() id!: string;
  @ApiProperty() host!: string;
  @ApiProperty({ type: 'integer' }) pid!: number;
  @ApiProperty() version!: string;
  @ApiProperty({ type: 'integer' }) concurrency!: number;
  @ApiProperty() startedAt!: Date;
  @ApiProperty() lastHeartbeatAt!: Date;
  @ApiProperty({ type: 'integer' }) jobsCompleted!: number;
  @ApiProperty({ type: 'integer' }) jobsFailed!: number;
}

export class WorkerList {
  @ApiProperty({ type: [WorkerView] }) data!: WorkerView[];
}

export function toWorkerView(row: WorkerRegistration): WorkerView {
  return {
    id: row.id,
    host: row.host,
    pid: row.pid,
    version: row.version,
    concurrency: row.concurrency,
    startedAt: row.startedAt,
    lastHeartbeatAt: row.lastHeartbeatAt,
    jobsCompleted: Number(row.jobsCompleted),
    jobsFailed: Number(row.jobsFailed),
  };
}
