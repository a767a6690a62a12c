import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('workers')
export class WorkerRegistration {
  @PrimaryColumn('text') id!: string;
  @Column('text') host!: string;
  @Column('integer') pid!: number;
  @Column('text') version!: string;
  @Column('integer') concurrency!: number;
  @Column('timestamptz') startedAt!: Date;
  @Column('timestamptz') lastHeartbeatAt!: Date;
  @Column('bigint', { default: 0 }) jobsCompleted!: string;
  @Column('bigint', { default: 0 }) jobsFailed!: string;
}
