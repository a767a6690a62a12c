// Imported first by main.ts: the instrumentations must be in place before http, pg and ioredis
// are loaded.
import { loadConfigOrExit } from '@agentq/config';
import { startTracing } from '@agentq/telemetry';

export const tracing = startTracing('agentq-api', loadConfigOrExit().telemetry);
