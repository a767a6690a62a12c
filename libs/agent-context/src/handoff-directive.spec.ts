import { parseHandoffDirective } from './handoff-directive';

const AGENT = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

describe('parseHandoffDirective', () => {
  it('finds no handoff in ordinary output', () => {
    expect(parseHandoffDirective('The answer is 42.')).toBeNull();
    expect(parseHandoffDirective('HANDOFF: {"agentId": "x"}\nmore text after it')).toBeNull();
  });

  it('reads the final HANDOFF line with its message', () => {
    const output = `Draft done.\nHANDOFF: {"agentId": "${AGENT}", "message": "Please review"}\n\n`;
    expect(parseHandoffDirective(output)).toEqual({
      kind: 'handoff',
      agentId: AGENT,
      message: 'Please review',
    });
  });

  it('passes the rest of the output on when the directive has no message', () => {
    const output = `Line one\nLine two\n  HANDOFF: {"agentId": "${AGENT}"}  `;
    expect(parseHandoffDirective(output)).toEqual({
      kind: 'handoff',
      agentId: AGENT,
      message: 'Line one\nLine two',
    });
  });

  it.each([
    ['HANDOFF: not json', /JSON object/],
    ['HANDOFF: ["a"]', /JSON object/],
    ['HANDOFF: {"agentId": "writer"}', /agentId/],
    [`HANDOFF: {"agentId": "${AGENT}", "message": 3}`, /message/],
    [`HANDOFF: {"agentId": "${AGENT}"}`, /no message/],
  ])('reports a malformed directive: %s', (output, reason) => {
    const parsed = parseHandoffDirective(output);
    expect(parsed).toEqual({ kind: 'invalid', reason: expect.stringMatching(reason) });
  });
});
