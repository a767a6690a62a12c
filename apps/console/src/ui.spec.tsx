/** @jest-environment ./test/jest/unit-dom-environment.js */
import { fireEvent, render, screen } from '@testing-library/react';
import { Loaded, StatusBadge } from './ui';

describe('page states', () => {
  it('shows loading, then the error with a retry, the empty state, or the content', () => {
    const { rerender } = render(<Loaded value={{ state: 'loading' }}>{() => 'content'}</Loaded>);
    expect(screen.getByRole('status').textContent).toBe('Loading…');

    let retried = 0;
    rerender(
      <Loaded
        value={{
          state: 'error',
          message: 'execution not found',
          status: 404,
          reload: () => (retried += 1),
        }}
      >
        {() => 'content'}
      </Loaded>,
    );
    expect(screen.getByRole('alert').textContent).toContain('Not found');
    expect(screen.getByRole('alert').textContent).toContain('execution not found');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(retried).toBe(1);

    rerender(
      <Loaded
        value={{ state: 'ready', data: [] as number[] }}
        isEmpty={(d) => d.length === 0}
        empty="No runs."
      >
        {() => 'content'}
      </Loaded>,
    );
    expect(screen.getByText('No runs.')).toBeTruthy();

    rerender(
      <Loaded value={{ state: 'ready', data: [1, 2] }} isEmpty={(d) => d.length === 0}>
        {(d) => `${d.length} rows`}
      </Loaded>,
    );
    expect(screen.getByText('2 rows')).toBeTruthy();
  });

  it('labels statuses for people', () => {
    render(<StatusBadge status="requires_action" />);
    expect(screen.getByText('requires action').className).toBe('status status-requires_action');
  });
});
