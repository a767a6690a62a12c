import {
  agentDispatchKeys,
  agentDispatchKeysPattern,
  agentOfDispatchKey,
} from './agent-dispatch-keys';

const AGENT = '0b7c6a1e-5f0e-4d8a-9a51-3f1d2c4b5a69';

describe('agent dispatch keys', () => {
  it('finds the agent of its own keys and of no other key', () => {
    for (const key of agentDispatchKeys('{agentq}', AGENT)) {
      expect(agentOfDispatchKey(key)).toBe(AGENT);
    }
    for (const key of agentDispatchKeys('{agentq}', AGENT, 'AbC_-0123456789abcdefgh')) {
      expect(key).toContain(`{agent:${AGENT}:key:AbC_-0123456789abcdefgh}`);
      expect(agentOfDispatchKey(key)).toBe(AGENT);
    }
    expect(agentOfDispatchKey('{agentq}:executions:123')).toBeNull();
    expect(agentOfDispatchKey(`{agentq}:dispatch:{agent:${AGENT}}:other`)).toBeNull();
  });

  it('escapes glob characters of the prefix in the SCAN pattern', () => {
    expect(agentDispatchKeysPattern('a*b?[c]')).toBe('a\\*b\\?\\[c\\]:dispatch:{agent:*}:*');
  });
});
