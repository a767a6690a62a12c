import { ExecutionStep } from '@agentq/executions';
import { loopState } from './loop-state';

const at = new Date('2026-01-01T00:00:00Z');

function model(index: number, calls: { id: string; name: string }[], text = ''): ExecutionStep {
  return {
    index,
    type: 'model',
    name: 'm',
    toolCallId: null,
    arguments: null,
    result: text,
    resultLength: text.length,
    toolCalls: calls.map((call) => ({ ...call, arguments: {} })),
    finishReason: calls.length ? 'tool_calls' : 'stop',
    promptTokens: 1,
    completionTokens: 1,
    costUsd: '0',
    attempt: 1,
    durationMs: 1,
    error: null,
    startedAt: at,
    providerId: null,
    fallbackFrom: null,
  };
}

function tool(index: number, id: string, output: string, failed = false): ExecutionStep {
  return {
    ...model(index, []),
    type: 'tool',
    name: 't',
    toolCallId: id,
    result: output,
    toolCalls: null,
    error: failed ? { code: 'tool_timeout', message: 'timed out' } : null,
  };
}

describe('loopState', () => {
  it('starts empty', () => {
    expect(loopState([])).toEqual({
      messages: [],
      modelCalls: 0,
      nextIndex: 0,
      pending: [],
      finalAnswer: null,
      answers: 0,
    });
  });

  it('rebuilds answers and outputs in call order, errors marked', () => {
    const state = loopState([
      model(0, [
        { id: 'a', name: 't' },
        { id: 'b', name: 't' },
      ]),
      tool(2, 'b', 'B', true),
      tool(1, 'a', 'A'),
    ]);
    expect(state.messages.map((m) => (m.role === 'tool' ? m.toolCallId : m.role))).toEqual([
      'assistant',
      'a',
      'b',
    ]);
    expect(state.messages[2]).toMatchObject({ isError: true, content: 'B' });
    expect(state.pending).toEqual([]);
    expect(state.nextIndex).toBe(3);
    expect(state.modelCalls).toBe(1);
  });

  it('names the calls whose tool step never committed, at their fixed indexes', () => {
    const state = loopState([
      model(0, [
        { id: 'a', name: 't' },
        { id: 'b', name: 't' },
        { id: 'c', name: 't' },
      ]),
      tool(2, 'b', 'B'),
    ]);
    expect(state.pending.map((p) => [p.call.id, p.index])).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(state.nextIndex).toBe(4);
  });

  it('skips failed model calls but keeps their indexes taken', () => {
    const failed = { ...model(2, []), error: { code: 'provider_error', message: '500' } };
    const state = loopState([model(0, [{ id: 'a', name: 't' }]), tool(1, 'a', 'A'), failed]);
    expect(state.modelCalls).toBe(1);
    expect(state.nextIndex).toBe(3);
    expect(state.finalAnswer).toBeNull();
  });

  it('finds a final answer recorded before the worker stopped', () => {
    const state = loopState([
      model(0, [{ id: 'a', name: 't' }]),
      tool(1, 'a', 'A'),
      model(2, [], 'done'),
    ]);
    expect(state.finalAnswer?.result).toBe('done');
    expect(state.answers).toBe(1);
  });

  it('counts a repaired answer as a second answer, the conversation holding both', () => {
    const state = loopState([model(0, [], '{"bad"'), model(1, [], '{"good": 1}')]);
    expect(state.finalAnswer?.result).toBe('{"good": 1}');
    expect(state.answers).toBe(2);
    expect(state.messages.map((m) => m.content)).toEqual(['{"bad"', '{"good": 1}']);
  });
});
