import { executionEventId, ExecutionEventType, isExecutionEventAfter } from './execution-events';

describe('execution event ids', () => {
  const id = (type: ExecutionEventType, attempt?: number) => executionEventId({ type, attempt });

  it('orders an execution’s events as they happen, across attempts', () => {
    const history = [
      id('queued'),
      id('started', 1),
      id('retrying', 1),
      id('started', 2),
      id('succeeded', 2),
    ];
    expect(history).toEqual(['0.0', '1.1', '1.2', '2.1', '2.3']);
    for (let i = 1; i < history.length; i += 1) {
      expect(isExecutionEventAfter(history[i], history[i - 1])).toBe(true);
      expect(isExecutionEventAfter(history[i - 1], history[i])).toBe(false);
      expect(isExecutionEventAfter(history[i], history[i])).toBe(false);
    }
    expect(isExecutionEventAfter(id('started', 10), id('retrying', 9))).toBe(true);
  });

  it('treats an unreadable Last-Event-ID as no resume point', () => {
    expect(isExecutionEventAfter(id('queued'), 'nonsense')).toBe(true);
  });
});
