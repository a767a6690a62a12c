import { AgentTool } from '@agentq/database';
import { guardTool, guardVerdict, modelTools } from './guardrails';

const http = (name: string): AgentTool => ({
  type: 'http',
  name,
  description: '',
  parameters: { type: 'object' },
  url: 'https://guard.example/check',
  timeoutMs: null,
  headers: {},
});
const agent = {
  tools: [http('moderate'), http('search'), { ...http('client'), type: 'client' as const }],
  inputGuard: 'moderate',
  outputGuard: 'client',
};

describe('guardrails', () => {
  it('finds the http tool named as a guard, and keeps it from the model', () => {
    expect(guardTool(agent, 'input')?.name).toBe('moderate');
    expect(guardTool(agent, 'output')).toBeNull();
    expect(guardTool({ tools: agent.tools }, 'input')).toBeNull();
    expect(modelTools(agent).map((tool) => tool.name)).toEqual(['search']);
  });

  it('lets only {"allow": true} through, and fails closed on anything else', () => {
    expect(guardVerdict('input', { output: '{"allow":true}', error: null })).toEqual({
      allow: true,
    });
    expect(
      guardVerdict('output', { output: '{"allow":false,"reason":"PII"}', error: null }),
    ).toEqual({
      allow: false,
      failure: { code: 'guardrail_refused', message: 'the output guard refused: PII' },
    });
    for (const output of ['{"allow":"yes"}', 'OK', 'null']) {
      expect(guardVerdict('input', { output, error: null })).toMatchObject({ allow: false });
    }
    const timedOut = { output: '', error: { code: 'tool_timeout', message: 'timed out' } };
    expect(guardVerdict('input', timedOut)).toMatchObject({
      allow: false,
      failure: { message: 'the input guard refused: it did not answer (tool_timeout)' },
    });
  });
});
