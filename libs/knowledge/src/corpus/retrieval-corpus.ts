/**
 * A small corpus shipped for retrieval tests and for trying search locally: sixteen entries of
 * an engineering team's knowledge base, and questions asked the way people ask them, each with
 * the entry that answers it. The questions use words the answer lacks ("how do I…", synonyms,
 * other forms), which is where ranking by words alone falls short.
 */
export interface CorpusEntry {
  key: string;
  type: 'documentation' | 'adr' | 'pattern' | 'rule' | 'code_snippet' | 'handover';
  title: string;
  content: string;
  tags: string[];
}

export const RETRIEVAL_CORPUS: CorpusEntry[] = [
  {
    key: 'retries',
    type: 'documentation',
    title: 'Retries and backoff',
    content:
      'Failed executions are retried with exponential backoff and jitter. A provider answering 429 ' +
      'is paused for the Retry-After it sends; 5xx answers, timeouts and network errors retry; other ' +
      '4xx answers fail at once without retrying.',
    tags: ['queue', 'reliability'],
  },
  {
    key: 'priority',
    type: 'documentation',
    title: 'Execution priority',
    content:
      'Each submission carries a priority from 1 (lowest) to 10 (most urgent). Urgent jobs are taken ' +
      'from the queue first; equal priorities keep their submission order.',
    tags: ['queue'],
  },
  {
    key: 'postgres-backup',
    type: 'documentation',
    title: 'Backing up PostgreSQL',
    content:
      'Run pg_dump nightly in custom format and copy the dump to object storage. Restoring is ' +
      'pg_restore into an empty database followed by the migrations check.',
    tags: ['operations', 'database'],
  },
  {
    key: 'redis-memory',
    type: 'rule',
    title: 'Redis eviction policy',
    content:
      'Redis must run with maxmemory-policy noeviction: evicting keys would silently drop queued ' +
      'jobs. Alert when used memory passes eighty percent of maxmemory.',
    tags: ['operations', 'redis'],
  },
  {
    key: 'api-keys',
    type: 'documentation',
    title: 'API key rotation',
    content:
      'Create the new key, deploy it to every client, then revoke the old key. Revocation reaches ' +
      'every API process within a second; keys are stored only as hashes.',
    tags: ['security'],
  },
  {
    key: 'master-key',
    type: 'documentation',
    title: 'Rotating the master encryption key',
    content:
      'Provider credentials are encrypted with AES-256-GCM under the master key. To rotate it, add ' +
      'the previous key to AGENTQ_PREVIOUS_MASTER_KEYS, set the new one, and run keys:rotate to ' +
      're-encrypt every stored credential.',
    tags: ['security'],
  },
  {
    key: 'adr-bullmq',
    type: 'adr',
    title: 'ADR 3: BullMQ as the job transport',
    content:
      'We chose BullMQ over a PostgreSQL-only queue: Redis gives cheap delayed jobs, priorities and ' +
      'rate limiting. PostgreSQL stays the source of truth and a reconciler repairs any drift.',
    tags: ['architecture', 'queue'],
  },
  {
    key: 'adr-uuid',
    type: 'adr',
    title: 'ADR 5: UUID primary keys',
    content:
      'Every table uses random UUID identifiers so ids can be made by clients and never reveal ' +
      'counts. Indexes that need ordering add created_at.',
    tags: ['architecture', 'database'],
  },
  {
    key: 'webhook-signing',
    type: 'pattern',
    title: 'Verifying webhook signatures',
    content:
      'Deliveries are signed following Standard Webhooks: compute HMAC-SHA256 over id, timestamp and ' +
      'body with the endpoint secret and compare in constant time; reject timestamps older than five ' +
      'minutes to stop replays.',
    tags: ['webhooks', 'security'],
  },
  {
    key: 'scaling-workers',
    type: 'documentation',
    title: 'Scaling workers horizontally',
    content:
      'Workers are stateless: add processes or containers to raise throughput. Each worker takes ' +
      'WORKER_CONCURRENCY jobs at once; KEDA can autoscale on queue depth.',
    tags: ['operations', 'scaling'],
  },
  {
    key: 'cost-tracking',
    type: 'documentation',
    title: 'Cost accounting',
    content:
      'Every execution records prompt and completion tokens and their price from the per-model ' +
      'table. Daily rollups per agent always equal the sum of the execution rows, even after retries.',
    tags: ['usage'],
  },
  {
    key: 'timeouts',
    type: 'rule',
    title: 'Provider call deadlines',
    content:
      'A model call that exceeds its timeoutMs is aborted and counted as a transient failure. Keep ' +
      'timeouts below the worker lock duration so a stalled job is not run twice.',
    tags: ['reliability'],
  },
  {
    key: 'handover-oncall',
    type: 'handover',
    title: 'On-call handover, week 49',
    content:
      'Open issue: the nightly dump job overran twice because of a large sessions table. Archive ' +
      'sessions older than ninety days before the next run.',
    tags: ['operations'],
  },
  {
    key: 'tool-calls',
    type: 'code_snippet',
    title: 'Declaring an HTTP tool',
    content:
      'tools: [{ type: "http", name: "lookup_order", url: "https://shop.example/orders", ' +
      'parameters: { type: "object", properties: { orderId: { type: "string" } } } }]',
    tags: ['tools'],
  },
  {
    key: 'streaming',
    type: 'documentation',
    title: 'Streaming answers',
    content:
      'Submit with stream: true and read GET /v1/executions/:id/stream as server-sent events; each ' +
      'event carries a text delta in order, and the last one the finish reason.',
    tags: ['api'],
  },
  {
    key: 'tenancy',
    type: 'documentation',
    title: 'Tenant isolation',
    content:
      'Every query runs in a transaction that sets the tenant for row-level security, so one ' +
      "organisation never reads another's rows even if a filter is forgotten.",
    tags: ['security', 'database'],
  },
];

export interface CorpusQuery {
  query: string;
  expected: string;
}

export const RETRIEVAL_QUERIES: CorpusQuery[] = [
  { query: 'what happens when the provider rate limits us', expected: 'retries' },
  { query: 'how to make an urgent job run before others', expected: 'priority' },
  { query: 'how do we restore the database from a backup', expected: 'postgres-backup' },
  { query: 'why must redis never evict keys', expected: 'redis-memory' },
  { query: 'steps to rotate an api key safely', expected: 'api-keys' },
  { query: 're-encrypt provider credentials with a new master key', expected: 'master-key' },
  { query: 'why did we pick bullmq instead of a postgres queue', expected: 'adr-bullmq' },
  { query: 'check the signature of an incoming webhook delivery', expected: 'webhook-signing' },
  { query: 'how to get more throughput by adding workers', expected: 'scaling-workers' },
  { query: 'how are token costs tracked per agent', expected: 'cost-tracking' },
  { query: 'what does a timed out model call count as', expected: 'timeouts' },
  { query: 'stream the answer as events', expected: 'streaming' },
];
