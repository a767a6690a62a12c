import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import type { ExecutionView } from '@agentq/client';
import { api, unwrap } from '../api';
import { filtersToSearch, formatDuration, formatTime, formatTokens, formatUsd } from '../format';
import { useEventSource } from '../hooks';
import { applyRunEvent, type RunEvent } from '../runs-live';
import { ErrorState, Loading, StatusBadge } from '../ui';

const STATUSES: ExecutionView['status'][] = [
  'queued',
  'running',
  'requires_action',
  'succeeded',
  'failed',
  'cancelled',
];
const PAGE = 100;
const ROW_HEIGHT = 36;

type Status = ExecutionView['status'];
type Filters = {
  agentId?: string;
  status?: Status;
  from?: string;
  to?: string;
  user?: string;
  tag?: string;
  sessionId?: string;
};

/**
 * Executions newest first, a page at a time as the list scrolls (cursor pagination, so a tenant
 * with a million executions costs one page per screenful), rows virtualised, statuses kept live
 * from the tenant's event stream. New executions are counted, not inserted under the reader.
 */
export function RunsPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const filters: Filters = {
    agentId: params.get('agentId') ?? undefined,
    status: STATUSES.find((status) => status === params.get('status')),
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
    user: params.get('user') ?? undefined,
    tag: params.get('tag') ?? undefined,
    sessionId: params.get('sessionId') ?? undefined,
  };
  const [rows, setRows] = useState<ExecutionView[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [problem, setProblem] = useState('');
  const [fresh, setFresh] = useState(0);
  const loading = useRef(false);

  const loadPage = useCallback(
    async (after: string | undefined, reset: boolean) => {
      if (loading.current) return;
      loading.current = true;
      try {
        const page = unwrap(
          await api.GET('/v1/executions', {
            params: {
              query: {
                ...filters,
                tag: filters.tag ? [filters.tag] : undefined,
                limit: PAGE,
                cursor: after,
              },
            },
          }),
        );
        setRows((previous) => (reset ? page.data : [...previous, ...page.data]));
        setCursor(page.nextCursor);
        setState('ready');
      } catch (error) {
        setProblem((error as Error).message);
        setState('error');
      } finally {
        loading.current = false;
      }
    },
    [search],
  );

  useEffect(() => {
    setState('loading');
    setFresh(0);
    void loadPage(undefined, true);
  }, [loadPage]);

  useEventSource(`/v1/executions/events${filtersToSearch({ agentId: filters.agentId })}`, {
    ...Object.fromEntries(
      ['queued', 'started', 'retrying', 'requires_action', 'succeeded', 'failed', 'cancelled'].map(
        (type) => [
          type,
          (data: unknown) => {
            const event = data as RunEvent;
            setRows((previous) => {
              const next = applyRunEvent(previous, event);
              if (next === previous && event.type === 'queued') setFresh((n) => n + 1);
              return next;
            });
          },
        ],
      ),
    ),
  });

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const last = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (state === 'ready' && cursor && last >= rows.length - 20) void loadPage(cursor, false);
  }, [last, rows.length, cursor, state, loadPage]);

  const applyFilters = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = Object.fromEntries(
      ['agentId', 'status', 'from', 'to', 'user', 'tag', 'sessionId'].map((key) => [
        key,
        String(form.get(key) ?? ''),
      ]),
    );
    navigate(`/runs${filtersToSearch(next)}`);
  };

  return (
    <section>
      <h1>Runs</h1>
      <form className="filters" onSubmit={applyFilters} aria-label="Filters">
        <label>
          Agent id
          <input name="agentId" defaultValue={filters.agentId} placeholder="any" />
        </label>
        <label>
          Status
          <select name="status" defaultValue={filters.status ?? ''}>
            <option value="">any</option>
            {STATUSES.map((status) => (
              <option key={status}>{status}</option>
            ))}
          </select>
        </label>
        <label>
          From
          <input name="from" type="date" defaultValue={filters.from} />
        </label>
        <label>
          To
          <input name="to" type="date" defaultValue={filters.to} />
        </label>
        <label>
          End user
          <input name="user" defaultValue={filters.user} placeholder="any" />
        </label>
        <label>
          Tag
          <input name="tag" defaultValue={filters.tag} placeholder="any" />
        </label>
        <label>
          Session
          <input name="sessionId" defaultValue={filters.sessionId} placeholder="any" />
        </label>
        <button type="submit">Apply</button>
      </form>
      {fresh > 0 && (
        <button
          type="button"
          className="fresh"
          onClick={() => void loadPage(undefined, true).then(() => setFresh(0))}
        >
          {fresh} new run{fresh === 1 ? '' : 's'}: show
        </button>
      )}
      {state === 'loading' && <Loading what="Loading runs" />}
      {state === 'error' && (
        <ErrorState message={problem} retry={() => void loadPage(undefined, true)} />
      )}
      {state === 'ready' && rows.length === 0 && (
        <div className="empty">No runs match. Submit one with POST /v1/agents/:id/executions.</div>
      )}
      {state === 'ready' && rows.length > 0 && (
        <div className="table runs" role="table" aria-label="Runs" aria-rowcount={rows.length}>
          <div className="row head" role="row">
            {['Execution', 'Status', 'Agent', 'Tokens', 'Cost', 'Duration', 'Queued'].map(
              (name) => (
                <span key={name} role="columnheader">
                  {name}
                </span>
              ),
            )}
          </div>
          <div className="scroller" ref={scroller} data-testid="runs-scroller">
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => {
                const run = rows[item.index];
                return (
                  <div
                    key={run.id}
                    className="row"
                    role="row"
                    aria-rowindex={item.index + 1}
                    style={{
                      position: 'absolute',
                      top: 0,
                      left: 0,
                      right: 0,
                      height: ROW_HEIGHT,
                      transform: `translateY(${item.start}px)`,
                    }}
                  >
                    <span role="cell">
                      <Link href={`/runs/${run.id}`}>{run.id.slice(0, 8)}</Link>
                    </span>
                    <span role="cell">
                      <StatusBadge status={run.status} />
                    </span>
                    <span role="cell">
                      <Link href={`/agents/${run.agentId}`}>{run.agentId.slice(0, 8)}</Link>
                    </span>
                    <span role="cell">{formatTokens(run.usage.totalTokens)}</span>
                    <span role="cell">{formatUsd(run.usage.costUsd)}</span>
                    <span role="cell">{formatDuration(run.durationMs)}</span>
                    <span role="cell">{formatTime(run.queuedAt)}</span>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
