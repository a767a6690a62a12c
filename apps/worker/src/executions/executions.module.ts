import { Module } from '@nestjs/common';
import { CryptoModule } from '@agentq/crypto';
import { ExecutionWorkModule } from '@agentq/executions';
import { DispatchModule } from '../dispatch/dispatch.module';
import { KnowledgeWorkerModule } from '../knowledge/knowledge.module';
import { ToolsModule } from '@agentq/tools';
import { BudgetLedger } from '@agentq/usage';
import { AgentExecutionProcessor } from './agent-execution.processor';
import { CancellationRegistry } from './cancellation-registry.service';
import { ExecutionPromptBuilder } from './execution-prompt-builder.service';
import { ExecutionRunner } from './execution-runner.service';
import { Guardrails } from './guardrails.service';
import { ProviderAdapters } from './provider-adapters.service';
import { SpendGuard } from './spend-guard.service';
import { HttpToolCaller } from './tool-loop/http-tool-caller.service';
import { ToolLoop } from './tool-loop/tool-loop.service';

@Module({
  imports: [CryptoModule, DispatchModule, ExecutionWorkModule, ToolsModule, KnowledgeWorkerModule],
  providers: [
    AgentExecutionProcessor,
    ExecutionRunner,
    ExecutionPromptBuilder,
    CancellationRegistry,
    ProviderAdapters,
    SpendGuard,
    BudgetLedger,
    ToolLoop,
    HttpToolCaller,
    Guardrails,
  ],
  exports: [SpendGuard],
})
export class ExecutionsModule {}
