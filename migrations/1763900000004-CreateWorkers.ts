import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWorkers1763900000004 implements MigrationInterface {
  name = 'CreateWorkers1763900000004';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE workers (
        id text PRIMARY KEY,
        host text NOT NULL,
        pid integer NOT NULL,
        version text NOT NULL,
        concurrency integer NOT NULL CHECK (concurrency > 0),
        started_at timestamptz NOT NULL,
        last_heartbeat_at timestamptz NOT NULL,
        jobs_completed bigint NOT NULL DEFAULT 0,
        jobs_failed bigint NOT NULL DEFAULT 0
      )`);
    await db.query(`CREATE INDEX workers_heartbeat_idx ON workers (last_heartbeat_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE workers`);
  }
}
