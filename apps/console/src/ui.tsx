import type { ReactNode } from 'react';
import type { Loadable } from './hooks';

/** The three states every page has, then the content. */
export function Loaded<T>({
  value,
  empty,
  isEmpty,
  children,
}: {
  value: Loadable<T> & { reload?(): void };
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (value.state === 'loading') return <Loading />;
  if (value.state === 'error') {
    return <ErrorState message={value.message} status={value.status} retry={value.reload} />;
  }
  if (isEmpty?.(value.data)) return <div className="empty">{empty ?? 'Nothing here yet.'}</div>;
  return <>{children(value.data)}</>;
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      {what}…
    </div>
  );
}

export function ErrorState({
  message,
  status,
  retry,
}: {
  message: string;
  status?: number;
  retry?: () => void;
}) {
  return (
    <div className="error" role="alert">
      <strong>{status === 404 ? 'Not found' : 'Something went wrong'}</strong>
      <p>{message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status.replace('_', ' ')}</span>;
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

/** Bars of one series per label, drawn in SVG; the exact figures sit in the table beside it. */
export function BarChart({
  title,
  bars,
}: {
  title: string;
  bars: { label: string; value: number }[];
}) {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const width = 560;
  const barHeight = 18;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg
        role="img"
        aria-label={title}
        width={width}
        height={bars.length * (barHeight + 6) + 4}
        viewBox={`0 0 ${width} ${bars.length * (barHeight + 6) + 4}`}
      >
        {bars.map((bar, i) => (
          <g key={bar.label} transform={`translate(0 ${i * (barHeight + 6)})`}>
            <text x={0} y={barHeight - 5} fontSize={12}>
              {bar.label.slice(0, 22)}
            </text>
            <rect x={170} y={0} height={barHeight} width={(bar.value / max) * (width - 180)} />
          </g>
        ))}
      </svg>
    </figure>
  );
}
