import { Agent, request } from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
}

/** A keep-alive HTTP/1.1 client on node:http: cheaper per request than fetch, so the load generator stays out of the way. */
export class HttpLoadClient {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly token: string,
    maxSockets = 256,
  ) {
    this.url = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  post(path: string, body: unknown): Promise<HttpResult> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close() {
    this.agent.destroy();
  }
}

export interface ClosedLoopResult {
  /** Operations completed in the measured window. */
  ops: number;
  /** Operations completed, warm-up included. */
  totalOps: number;
  errors: number;
  seconds: number;
  perSecond: number;
  firstError?: string;
}

/**
 * `clients` loops, each issuing its next operation as soon as the last one answered, for
 * warmup + measured seconds; only operations that complete in the measured window count.
 */
export async function runClosedLoop(options: {
  clients: number;
  warmupSeconds: number;
  seconds: number;
  operation: () => Promise<boolean | string>;
}): Promise<ClosedLoopResult> {
  const start = performance.now();
  const measureFrom = start + options.warmupSeconds * 1_000;
  const stopAt = measureFrom + options.seconds * 1_000;
  let ops = 0;
  let totalOps = 0;
  let errors = 0;
  let firstError: string | undefined;
  const loop = async () => {
    while (performance.now() < stopAt) {
      let outcome: boolean | string;
      try {
        outcome = await options.operation();
      } catch (error) {
        outcome = (error as Error).message;
      }
      const now = performance.now();
      if (outcome === true) totalOps += 1;
      if (now < measureFrom || now > stopAt) continue;
      if (outcome === true) ops += 1;
      else {
        errors += 1;
        firstError ??= String(outcome);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, loop));
  return {
    ops,
    totalOps,
    errors,
    seconds: options.seconds,
    perSecond: ops / options.seconds,
    firstError,
  };
}

export interface OpenLoopSubmission {
  /** When the request was due (performance.now()); latency is measured from here. */
  scheduledAt: number;
  measured: boolean;
  id: string | null;
  /** When the answer came (performance.now()). */
  answeredAt?: number;
  error?: string;
}

/**
 * Sends at a fixed offered rate whatever the answers do (an open loop), so a slow system
 * shows up as latency, not as a politely lower rate. Latency starts at the scheduled time,
 * which avoids coordinated omission when the client itself falls behind.
 */
export async function runOpenLoop(options: {
  rate: number;
  warmupSeconds: number;
  seconds: number;
  maxInFlight: number;
  send: () => Promise<string>;
}): Promise<{ submissions: OpenLoopSubmission[]; dropped: number }> {
  const total = Math.round(options.rate * (options.warmupSeconds + options.seconds));
  const warmupCount = Math.round(options.rate * options.warmupSeconds);
  const interval = 1_000 / options.rate;
  const submissions: OpenLoopSubmission[] = [];
  const pending = new Set<Promise<void>>();
  let dropped = 0;
  const start = performance.now();
  for (let i = 0; i < total;) {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    for (; i < due; i += 1) {
      const submission: OpenLoopSubmission = {
        scheduledAt: start + i * interval,
        measured: i >= warmupCount,
        id: null,
      };
      submissions.push(submission);
      if (pending.size >= options.maxInFlight) {
        dropped += 1;
        submission.error = 'dropped: too many requests in flight';
        continue;
      }
      const work = options.send().then(
        (id) => {
          submission.id = id;
          submission.answeredAt = performance.now();
        },
        (error: Error) => {
          submission.error = error.message;
        },
      );
      const tracked = work.finally(() => pending.delete(tracked));
      pending.add(tracked);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(5, interval))));
  }
  await Promise.all(pending);
  return { submissions, dropped };
}
