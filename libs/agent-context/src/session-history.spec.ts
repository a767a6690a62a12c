import { buildSessionHistory, inputText, turnMessages } from './session-history';

const turn = (question: string, answer: string) => ({
  input: { message: question },
  output: { text: answer, finishReason: 'stop', model: 'm' },
});

describe('buildSessionHistory', () => {
  it('returns whole turns oldest first', () => {
    const newestFirst = [turn('q3', 'a3'), turn('q2', 'a2'), turn('q1', 'a1')];
    expect(buildSessionHistory(newestFirst, 1_000)).toEqual([
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: 'a2' },
      { role: 'user', content: 'q3' },
      { role: 'assistant', content: 'a3' },
    ]);
  });

  it('keeps the newest turns that fit and drops everything older', () => {
    const long = 'lorem ipsum '.repeat(100);
    const newestFirst = [turn('q3', 'a3'), turn('q2', long), turn('q1', 'a1')];
    expect(buildSessionHistory(newestFirst, 40)).toEqual([
      { role: 'user', content: 'q3' },
      { role: 'assistant', content: 'a3' },
    ]);
    expect(buildSessionHistory(newestFirst, 0)).toEqual([]);
  });

  it('expands a messages input and skips turns without an answer or input', () => {
    const conversation = {
      input: {
        messages: [
          { role: 'system' as const, content: 's' },
          { role: 'user' as const, content: 'u' },
        ],
      },
      output: { text: 'a', finishReason: 'stop', model: 'm' },
    };
    expect(turnMessages(conversation)).toEqual([
      { role: 'system', content: 's' },
      { role: 'user', content: 'u' },
      { role: 'assistant', content: 'a' },
    ]);
    expect(turnMessages({ input: { message: 'q' }, output: null })).toEqual([]);
    expect(
      turnMessages({ input: {}, output: { text: 'a', finishReason: null, model: 'm' } }),
    ).toEqual([]);
  });
});

describe('inputText', () => {
  it('is the message, or the last user message of a conversation', () => {
    expect(inputText({ message: 'hi' })).toBe('hi');
    expect(
      inputText({
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'reply' },
          { role: 'user', content: 'second' },
        ],
      }),
    ).toBe('second');
  });
});
