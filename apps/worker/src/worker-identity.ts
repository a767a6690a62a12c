import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** host:pid:random — unique per process, readable in logs and the workers table. */
export const WORKER_ID = `${hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
