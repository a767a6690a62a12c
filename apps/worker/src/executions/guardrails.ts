import { AgentTool, ExecutionError, HttpTool } from '@agentq/database';

/** What a guard answered, as the execution's failure when it refused. */
export type GuardVerdict = { allow: true } | { allow: false; failure: ExecutionError };

/** The http tool an agent names as its input or output guard; null when it names none. */
export function guardTool(
  agent: { tools: AgentTool[]; inputGuard?: string | null; outputGuard?: string | null },
  which: 'input' | 'output',
): HttpTool | null {
  const name = which === 'input' ? agent.inputGuard : agent.outputGuard;
  if (!name) return null;
  const tool = agent.tools.find((candidate) => candidate.name === name);
  return tool?.type === 'http' ? tool : null;
}

/** The tools the model is offered: a guard checks the model, it is not one of its tools. */
export function modelTools(agent: {
  tools: AgentTool[];
  inputGuard?: string | null;
  outputGuard?: string | null;
}): AgentTool[] {
  return agent.tools.filter(
    (tool) => tool.name !== agent.inputGuard && tool.name !== agent.outputGuard,
  );
}

/**
 * A guard's answer: `{"allow": true}` lets the execution go on; anything else refuses it,
 * failing closed: `{"allow": false, "reason"}`, an error, a timeout or an answer that is not
 * that JSON. A guard that cannot say yes is a no.
 */
export function guardVerdict(
  which: 'input' | 'output',
  result: { output: string; error: ExecutionError | null },
): GuardVerdict {
  const refused = (reason: string): GuardVerdict => ({
    allow: false,
    failure: { code: 'guardrail_refused', message: `the ${which} guard refused: ${reason}` },
  });
  if (result.error) return refused(`it did not answer (${result.error.code})`);
  let answer: unknown;
  try {
    answer = JSON.parse(result.output);
  } catch {
    return refused('its answer is not JSON');
  }
  const { allow, reason } = (answer ?? {}) as { allow?: unknown; reason?: unknown };
  if (allow === true) return { allow: true };
  if (allow === false)
    return refused(typeof reason === 'string' && reason ? reason : 'no reason given');
  return refused('its answer has no boolean "allow"');
}
