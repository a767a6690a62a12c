import { pendingToolOutputsProblem } from './tool-outputs';

const pending = [
  { id: 'a', name: 'get_weather', arguments: {} },
  { id: 'b', name: 'get_weather', arguments: {} },
];

describe('pendingToolOutputsProblem', () => {
  it('accepts every pending id exactly once, in any order', () => {
    const outputs = [
      { toolCallId: 'b', output: '1' },
      { toolCallId: 'a', output: '2' },
    ];
    expect(pendingToolOutputsProblem(pending, outputs)).toBeNull();
  });

  it('names a missing, a repeated and an unknown id', () => {
    expect(pendingToolOutputsProblem(pending, [{ toolCallId: 'a', output: '' }])).toMatch(/b/);
    expect(
      pendingToolOutputsProblem(pending, [
        { toolCallId: 'a', output: '' },
        { toolCallId: 'a', output: '' },
      ]),
    ).toMatch(/more than once/);
    expect(pendingToolOutputsProblem(pending, [{ toolCallId: 'x', output: '' }])).toMatch(/x/);
  });
});
