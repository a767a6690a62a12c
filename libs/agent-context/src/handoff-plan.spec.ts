import { handoffRefusal, requestedHandoff } from './handoff-plan';

const B = '11111111-1111-4111-8111-111111111111';
const C = '22222222-2222-4222-8222-222222222222';
const origin = { tenantId: 't1', handoffDepth: 0, sessionStatus: 'active' };
const target = { tenantId: 't1', status: 'active' };

describe('requestedHandoff', () => {
  it('prefers the submission handoffTo and passes the whole output', () => {
    const output = `Result\nHANDOFF: {"agentId": "${C}", "message": "m"}`;
    expect(requestedHandoff(B, output)).toEqual({
      kind: 'request',
      agentId: B,
      message: output,
      source: 'handoffTo',
    });
  });

  it('takes a directive from the output when there is no handoffTo', () => {
    expect(requestedHandoff(null, `x\nHANDOFF: {"agentId": "${C}", "message": "go"}`)).toEqual({
      kind: 'request',
      agentId: C,
      message: 'go',
      source: 'output',
    });
    expect(requestedHandoff(null, 'plain answer')).toBeNull();
  });

  it('rejects an empty output to hand off and a malformed directive', () => {
    expect(requestedHandoff(B, '  ')).toMatchObject({ kind: 'rejected', reason: 'empty_message' });
    expect(requestedHandoff(null, 'HANDOFF: {')).toMatchObject({
      kind: 'rejected',
      reason: 'invalid_directive',
    });
  });
});

describe('handoffRefusal', () => {
  it('allows a handoff within the depth limit to an active agent of the tenant', () => {
    expect(handoffRefusal(origin, target, 5)).toBeNull();
    expect(handoffRefusal({ ...origin, sessionStatus: null }, target, 1)).toBeNull();
  });

  it('stops a chain at the depth limit', () => {
    expect(handoffRefusal({ ...origin, handoffDepth: 5 }, target, 5)?.reason).toBe('depth_limit');
    expect(handoffRefusal(origin, target, 0)?.reason).toBe('depth_limit');
  });

  it("refuses another tenant's agent, an inactive agent and a closed session", () => {
    expect(handoffRefusal(origin, undefined, 5)?.reason).toBe('agent_not_found');
    expect(handoffRefusal(origin, { ...target, tenantId: 't2' }, 5)?.reason).toBe(
      'agent_not_found',
    );
    expect(handoffRefusal(origin, { ...target, status: 'paused' }, 5)?.reason).toBe(
      'agent_not_active',
    );
    expect(handoffRefusal({ ...origin, sessionStatus: 'ended' }, target, 5)?.reason).toBe(
      'session_not_active',
    );
  });
});
