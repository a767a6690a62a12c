export interface ServerSentEvent {
  id: string | null;
  event: string;
  data: any;
}

export interface ReadOptions {
  lastEventId?: string;
  /** Stop reading (and disconnect) once this holds for the events so far. */
  until?: (events: ServerSentEvent[]) => boolean;
  timeoutMs?: number;
}

/**
 * Reads a Server-Sent Events stream with fetch until the server ends it (or `until` holds), and
 * returns its events in order. Comments (heartbeats) are skipped.
 */
export async function readEventStream(
  url: string,
  apiKey: string,
  { lastEventId, until, timeoutMs = 20_000 }: ReadOptions = {},
): Promise<{ status: number; events: ServerSentEvent[]; body?: any }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const headers: Record<string, string> = {
    authorization: `Bearer ${apiKey}`,
    accept: 'text/event-stream',
  };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const events: ServerSentEvent[] = [];
  try {
    const response = await fetch(url, { headers, signal: controller.signal });
    if (!response.headers.get('content-type')?.includes('text/event-stream')) {
      return { status: response.status, events, body: await response.json() };
    }
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const taken = takeEvents(buffer + value);
      buffer = taken.rest;
      for (const event of taken.events) {
        events.push(event);
        if (until?.(events)) {
          controller.abort();
          return { status: response.status, events };
        }
      }
    }
    return { status: response.status, events };
  } finally {
    clearTimeout(timer);
  }
}

/** The complete events at the start of `buffer` (comments skipped), and what is left of it. */
export function takeEvents(buffer: string): { events: ServerSentEvent[]; rest: string } {
  const events: ServerSentEvent[] = [];
  let rest = buffer;
  let end: number;
  while ((end = rest.indexOf('\n\n')) >= 0) {
    const block = rest.slice(0, end);
    rest = rest.slice(end + 2);
    const field = (name: string) =>
      block
        .split('\n')
        .find((line) => line.startsWith(`${name}: `))
        ?.slice(name.length + 2);
    const data = field('data');
    if (data === undefined) continue;
    events.push({ id: field('id') ?? null, event: field('event')!, data: JSON.parse(data) });
  }
  return { events, rest };
}
