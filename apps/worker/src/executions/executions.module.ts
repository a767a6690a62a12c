import { Module } from '@nestjs/common';
import { CryptoModule } from '@agentq/crypto';
import { ExecutionWorkModule } from '@agentq/executions';
import { DispatchModule } from '../dispatch/dispatch.module';
import { AgentExecutionProcessor } from './agent-execution.processor';
import { CancellationRegistry } from './cancellation-registry.service';
import { ExecutionPromptBuilder } from './execution-prompt-builder.service';
import { ExecutionRunner } from './execution-runner.service';
import { ProviderAdapters } from './provider-adapters.service';
import { SpendGuard } from './spend-guard.service';

@Module({
  imports: [CryptoModule, DispatchModule, ExecutionWorkModule],
  providers: [
    AgentExecutionProcessor,
    ExecutionRunner,
    ExecutionPromptBuilder,
    CancellationRegistry,
    ProviderAdapters,
    SpendGuard,
  ],
  exports: [SpendGuard],
})
export class ExecutionsModule {}
