import { ExecutionEvent } from '@agentq/jobs';
import { RecordedTransition } from '../store/terminal-outcome';
import { ExecutionEventPublisher } from './execution-event-publisher.service';
import { AttemptStream, ExecutionStream } from './execution-stream';
import { LifecycleAnnouncer } from './lifecycle-announcer.service';

// What reached the event channel and the output streams, in one order.
class InMemoryChannels {
  log: string[] = [];
  events: ExecutionEvent[] = [];

  readonly publisher: Pick<ExecutionEventPublisher, 'publish'> = {
    publish: (events) => {
      for (const event of events) this.log.push(`event ${event.type}`);
      this.events.push(...events);
    },
  };

  readonly streams: Pick<ExecutionStream, 'forAttempt' | 'begin'> = {
    forAttempt: (execution) => this.stream(execution),
    begin: (execution) => {
      const stream = this.stream(execution);
      if (execution.attempts > 1) stream.reset('retry');
      return stream;
    },
  };

  private stream(execution: { id: string; stream: boolean; attempts: number }): AttemptStream {
    const write = (entry: string) => {
      if (execution.stream) this.log.push(`stream ${entry} #${execution.attempts}`);
    };
    return {
      reset: (reason) => write(`reset ${reason}`),
      step: () => write('step'),
      requiresAction: () => write('requires_action'),
      end: (status) => write(status),
    };
  }

  announcer(): LifecycleAnnouncer {
    return new LifecycleAnnouncer(
      this.publisher as ExecutionEventPublisher,
      this.streams as ExecutionStream,
    );
  }
}

const subject = { id: 'e1', tenantId: 't1', agentId: 'a1' };

function transition(overrides: Partial<RecordedTransition> = {}): RecordedTransition {
  return {
    executionId: 'e1',
    tenantId: 't1',
    agentId: 'a1',
    status: 'succeeded',
    sessionId: null,
    attempts: 2,
    stream: true,
    completedAt: new Date('2026-12-07T10:00:00Z'),
    ...overrides,
  };
}

describe('LifecycleAnnouncer', () => {
  it('ends the output stream before the terminal event, timed by the row', () => {
    const channels = new InMemoryChannels();
    const error = { code: 'boom', message: 'it broke' };
    channels.announcer().ended(transition({ status: 'failed' }), null, error);
    expect(channels.log).toEqual(['stream failed #2', 'event failed']);
    expect(channels.events[0]).toMatchObject({
      type: 'failed',
      status: 'failed',
      attempt: 2,
      error,
      at: '2026-12-07T10:00:00.000Z',
    });
  });

  it('announces a cancellation without an attempt, and ends a streamed execution', () => {
    const channels = new InMemoryChannels();
    channels.announcer().cancelled(transition({ status: 'cancelled', attempts: 0 }));
    expect(channels.log).toEqual(['stream cancelled #0', 'event cancelled']);
    expect(channels.events[0].attempt).toBeUndefined();
  });

  it('writes nothing on the stream of an execution that is not streamed', () => {
    const channels = new InMemoryChannels();
    channels.announcer().ended(transition({ stream: false }), null, null);
    expect(channels.log).toEqual(['event succeeded']);
  });

  it('starts a retried attempt afresh, but lets a tool loop carry on from its steps', () => {
    const channels = new InMemoryChannels();
    const attempt = { ...subject, stream: true, attempts: 2, startedAt: new Date() };
    channels.announcer().started(attempt, false);
    channels.announcer().started(attempt, true);
    expect(channels.log).toEqual(['event started', 'stream reset retry #2', 'event started']);
  });

  it('publishes queued for each new execution, and nothing for none', () => {
    const channels = new InMemoryChannels();
    channels.announcer().queued([]);
    channels.announcer().queued([subject, { ...subject, id: 'e2' }]);
    expect(channels.events.map((event) => [event.type, event.executionId])).toEqual([
      ['queued', 'e1'],
      ['queued', 'e2'],
    ]);
  });

  it('puts the pending tool calls on both the stream and the event of a pause', () => {
    const channels = new InMemoryChannels();
    const requiredAction = { toolCalls: [{ id: 'c1', name: 'ask', arguments: {} }] };
    channels.announcer().requiresAction({ ...subject, stream: true, attempts: 1 }, requiredAction);
    expect(channels.log).toEqual(['stream requires_action #1', 'event requires_action']);
    expect(channels.events[0]).toMatchObject({ status: 'requires_action', requiredAction });
  });
});
