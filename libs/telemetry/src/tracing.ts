import { createRequire } from 'node:module';
import {
  Attributes,
  context,
  Context,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { AppConfig } from '@agentq/config';

/** The tracer of agentq's own spans; a no-op until tracing is started. */
export const tracer = trace.getTracer('agentq');

export interface Tracing {
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK with the HTTP, pg and ioredis instrumentations, configured by
 * the standard OTEL_* variables (exporter endpoint, protocol, headers, sampler, batch delay).
 * Call it before anything loads `pg` or `ioredis`. When tracing is off nothing is loaded: the
 * API's spans are no-ops and carry no context.
 */
export function startTracing(serviceName: string, config: AppConfig['telemetry']): Tracing | null {
  if (!config.tracesEnabled) return null;
  // Loaded only when on, so that a process without tracing pays nothing for it.
  const load = createRequire(__filename);
  const { NodeSDK }: typeof import('@opentelemetry/sdk-node') = load('@opentelemetry/sdk-node');
  const { HttpInstrumentation }: typeof import('@opentelemetry/instrumentation-http') = load(
    '@opentelemetry/instrumentation-http',
  );
  const { PgInstrumentation }: typeof import('@opentelemetry/instrumentation-pg') = load(
    '@opentelemetry/instrumentation-pg',
  );
  const { IORedisInstrumentation }: typeof import('@opentelemetry/instrumentation-ioredis') = load(
    '@opentelemetry/instrumentation-ioredis',
  );
  const sdk = new NodeSDK({
    serviceName: config.serviceName ?? serviceName,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => /^\/(health|metrics)\b/.test(request.url ?? ''),
      }),
      // Only inside a trace: BullMQ's polling and the heartbeats would each be a trace of
      // their own.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/** The W3C `traceparent` of the active span, to carry in a job; undefined outside a trace. */
export function activeTraceparent(active: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return carrier.traceparent;
}

/** The trace id a W3C `traceparent` carries (`00-<trace id>-<span id>-<flags>`), or null. */
export function traceIdOf(traceparent: string | undefined): string | null {
  const traceId = traceparent?.split('-')[1];
  return traceId && /^[0-9a-f]{32}$/.test(traceId) && !/^0+$/.test(traceId) ? traceId : null;
}

/** The context a `traceparent` carried in a job continues (the root context without one). */
export function contextOf(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/**
 * Runs `work` in a new active span that ends when it settles; an exception marks it failed.
 * `parent` defaults to the active context.
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        recordFailure(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export { SpanKind };

/**
 * Starts a span under the context a `traceparent` names and returns it with its own
 * `traceparent`; undefined without one (tracing off, or no trace to continue).
 */
export function startSpanUnder(
  traceparent: string | undefined,
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
): { span: Span; traceparent: string | undefined } | undefined {
  if (!traceparent) return undefined;
  const span = tracer.startSpan(name, options, contextOf(traceparent));
  return { span, traceparent: activeTraceparent(trace.setSpan(ROOT_CONTEXT, span)) };
}

/** Marks a span failed with the error. */
export function recordFailure(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
}
