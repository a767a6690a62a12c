import { Module } from '@nestjs/common';
import { ExecutionWorkModule } from '@agentq/executions';
import { QUEUES } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';
import { AgentConcurrency } from './agent-concurrency.service';
import { DeletedAgentDispatchKeys } from './deleted-agent-dispatch-keys.service';
import { DispatchGate } from './dispatch-gate.service';
import { DispatchMetrics } from './dispatch-metrics.service';
import { ProviderPacing } from './provider-pacing.service';

/** Per-agent concurrency, provider rate limits and pauses: see docs/dispatch.md. */
@Module({
  imports: [ExecutionWorkModule, registerQueues(QUEUES.executions)],
  providers: [
    AgentConcurrency,
    DeletedAgentDispatchKeys,
    DispatchGate,
    DispatchMetrics,
    ProviderPacing,
  ],
  exports: [DeletedAgentDispatchKeys, DispatchGate, ProviderPacing],
})
export class DispatchModule {}
