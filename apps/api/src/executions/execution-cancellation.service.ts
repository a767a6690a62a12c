import { Injectable } from '@nestjs/common';
import { AgentExecution, TERMINAL_STATUSES } from '@agentq/database';
import { ExecutionCanceller } from '@agentq/executions';
import { ConflictError } from '../common/api-errors';
import { ExecutionReader } from './execution-reader.service';

/** POST .../cancel: 404 for an unknown id, 409 once ended; the lib records and stops it. */
@Injectable()
export class ExecutionCancellation {
  constructor(
    private readonly reader: ExecutionReader,
    private readonly canceller: ExecutionCanceller,
  ) {}

  async cancel(tenantId: string, executionId: string): Promise<AgentExecution> {
    const execution = await this.reader.get(tenantId, executionId);
    if (TERMINAL_STATUSES.includes(execution.status)) throw alreadyTerminal(execution);
    const won = await this.canceller.cancel(tenantId, executionId);
    if (!won) throw alreadyTerminal(await this.reader.get(tenantId, executionId));
    return this.reader.get(tenantId, executionId);
  }
}

function alreadyTerminal(execution: AgentExecution) {
  return new ConflictError('already_terminal', `the execution already ended: ${execution.status}`);
}
