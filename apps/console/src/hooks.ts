import { useCallback, useEffect, useRef, useState } from 'react';

export type Loadable<T> =
  | { state: 'loading' }
  | { state: 'error'; message: string; status?: number }
  | { state: 'ready'; data: T };

/**
 * Runs `load` when `key` changes and whenever `reload()` is called; keeps the last answer while
 * a reload runs. Every page's loading, error and ready states come from here.
 */
export function useLoad<T>(load: () => Promise<T>, key: string): Loadable<T> & { reload(): void } {
  const [value, setValue] = useState<Loadable<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    let live = true;
    latest.current().then(
      (data) => live && setValue({ state: 'ready', data }),
      (error: Error & { status?: number }) =>
        live && setValue({ state: 'error', message: error.message, status: error.status }),
    );
    return () => {
      live = false;
    };
  }, [key, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...value, reload };
}

/**
 * An EventSource on a same-origin URL (the session cookie goes with it), one handler per event
 * type; closed when the component goes away or the URL changes. EventSource reconnects by
 * itself, sending Last-Event-ID.
 */
export function useEventSource(
  url: string | null,
  handlers: Record<string, (data: unknown) => void>,
): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  const types = Object.keys(handlers).sort().join(',');
  useEffect(() => {
    if (!url || typeof EventSource === 'undefined') return;
    const source = new EventSource(url);
    for (const type of types.split(',')) {
      source.addEventListener(type, (event) => {
        latest.current[type]?.(JSON.parse((event as MessageEvent<string>).data));
      });
    }
    return () => source.close();
  }, [url, types]);
}
