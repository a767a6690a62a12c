import { buildSystemPrompt, toChatMessages } from './system-prompt';

describe('buildSystemPrompt', () => {
  it('has a section for role, backstory and goal', () => {
    expect(
      buildSystemPrompt({
        role: 'Support engineer',
        backstory: 'Ten years on the help desk.',
        goal: 'Close tickets on first contact.',
      }),
    ).toBe(
      [
        '## Role\nSupport engineer',
        '## Backstory\nTen years on the help desk.',
        '## Goal\nClose tickets on first contact.',
      ].join('\n\n'),
    );
  });

  it('leaves out empty sections', () => {
    expect(buildSystemPrompt({ role: 'Analyst', backstory: null, goal: '  ' })).toBe(
      '## Role\nAnalyst',
    );
  });

  it('lists memories in the order given, with their type', () => {
    const prompt = buildSystemPrompt({ role: 'Analyst', backstory: null, goal: null }, [
      { type: 'learning', content: 'The customer prefers CSV.' },
      { type: 'context', content: '  ' },
      { type: 'goal', content: 'Ship the report\nby Friday' },
    ]);
    expect(prompt).toBe(
      [
        '## Role\nAnalyst',
        '## What you remember\n- (learning) The customer prefers CSV.\n- (goal) Ship the report\n  by Friday',
      ].join('\n\n'),
    );
  });
});

describe('toChatMessages', () => {
  it('turns a single message into a user turn', () => {
    expect(toChatMessages({ message: 'hello' })).toEqual([{ role: 'user', content: 'hello' }]);
  });

  it('passes a conversation through, keeping only role and content', () => {
    const messages = [
      { role: 'user' as const, content: 'hi' },
      { role: 'assistant' as const, content: 'hello', extra: true },
    ];
    expect(toChatMessages({ messages })).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
  });

  it('gives an empty conversation for empty input', () => {
    expect(toChatMessages({})).toEqual([]);
  });
});
