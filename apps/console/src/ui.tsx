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
