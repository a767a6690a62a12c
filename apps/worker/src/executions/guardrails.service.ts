import { Injectable } from '@nestjs/common';
import { ExecutionError } from '@agentq/database';
import { ClaimedExecution } from '@agentq/executions';
import { guardTool, guardVerdict } from './guardrails';
import { HttpToolCaller } from './tool-loop/http-tool-caller.service';

/**
 * The agent's input and output guards: http tools called like any (signed, the URL policy, a
 * stable `webhook-id` per execution and guard) with `{"input": …}` or `{"output": …}` as
 * arguments. Null when the guard allows, or the agent has none; else why the execution fails.
 */
@Injectable()
export class Guardrails {
  constructor(private readonly httpTools: HttpToolCaller) {}

  async refusal(
    execution: ClaimedExecution,
    which: 'input' | 'output',
    subject: unknown,
    signal: AbortSignal,
  ): Promise<ExecutionError | null> {
    const tool = guardTool(execution.agent, which);
    if (!tool) return null;
    const result = await this.httpTools.call(
      tool,
      { id: `guard_${which}`, name: tool.name, arguments: { [which]: subject } },
      {
        executionId: execution.id,
        agentId: execution.agentId,
        tenantId: execution.tenantId,
        signal,
      },
    );
    const verdict = guardVerdict(which, result);
    return verdict.allow ? null : verdict.failure;
  }
}
