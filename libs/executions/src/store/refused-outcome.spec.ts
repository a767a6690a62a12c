import { isDataException, outputNotStorable } from './refused-outcome';
import { TerminalOutcome } from './terminal-outcome';

describe('isDataException', () => {
  it('is true for SQLSTATE class 22, directly or through TypeORM, and false otherwise', () => {
    expect(isDataException({ code: '22P05' })).toBe(true);
    expect(isDataException({ driverError: { code: '22021' } })).toBe(true);
    expect(isDataException({ code: '40P01' })).toBe(false);
    expect(isDataException({ code: 'ECONNRESET' })).toBe(false);
    expect(isDataException(null)).toBe(false);
  });
});

describe('outputNotStorable', () => {
  it('fails the execution without its payload and keeps its usage', () => {
    const outcome: TerminalOutcome = {
      executionId: 'e1',
      tenantId: 't1',
      status: 'succeeded',
      output: { text: 'a\u0000b', finishReason: 'stop', model: 'm' },
      error: null,
      model: 'm',
      promptTokens: 10,
      completionTokens: 5,
      costUsd: '0.000001000',
      durationMs: 20,
      hasFollowUpFlags: true,
    };
    expect(outputNotStorable(outcome)).toEqual({
      ...outcome,
      status: 'failed',
      output: null,
      error: expect.objectContaining({ code: 'output_not_storable' }),
      hasFollowUpFlags: false,
    });
  });
});
