import { approvalDecisionsProblem, decideAll, deniedOutput } from './approval-decisions';

const awaiting = [
  { id: 'call_1', name: 'transfer', arguments: {} },
  { id: 'call_2', name: 'transfer', arguments: {} },
];

describe('approvalDecisionsProblem', () => {
  it('accepts every call awaiting approval decided once', () => {
    const decisions = [
      { toolCallId: 'call_2', approve: false },
      { toolCallId: 'call_1', approve: true },
    ];
    expect(approvalDecisionsProblem(awaiting, decisions)).toBeNull();
  });

  it('names the call that is unknown, decided twice or left out', () => {
    expect(approvalDecisionsProblem(awaiting, [{ toolCallId: 'call_9', approve: true }])).toBe(
      'call_9 is not awaiting approval',
    );
    const twice = [...decideAll(awaiting, true), { toolCallId: 'call_1', approve: false }];
    expect(approvalDecisionsProblem(awaiting, twice)).toBe('call_1 is decided more than once');
    expect(approvalDecisionsProblem(awaiting, [{ toolCallId: 'call_1', approve: true }])).toBe(
      'no decision for tool call(s): call_2',
    );
  });
});

describe('decideAll and deniedOutput', () => {
  it("gives a link's one decision to every call, and tells the model why it was denied", () => {
    expect(decideAll(awaiting, false, 'not today')).toEqual([
      { toolCallId: 'call_1', approve: false, reason: 'not today' },
      { toolCallId: 'call_2', approve: false, reason: 'not today' },
    ]);
    expect(deniedOutput({ toolCallId: 'call_1', approve: false, reason: 'too risky' })).toBe(
      'error: the call was denied by a person: too risky',
    );
    expect(deniedOutput({ toolCallId: 'call_1', approve: false })).toBe(
      'error: the call was denied by a person',
    );
  });
});
