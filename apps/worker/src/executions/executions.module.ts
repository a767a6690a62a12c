import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { CryptoModule } from '@agentq/crypto';
import { ExecutionsCoreModule } from '@agentq/executions';
import { QUEUES } from '@agentq/jobs';
import { AgentExecutionProcessor } from './agent-execution.processor';
import { CancellationRegistry } from './cancellation-registry.service';
import { CompletionBatcher } from './completion-batcher.service';
import { ExecutionClaims } from './execution-claims.service';
import { ExecutionFollowUps } from './execution-follow-ups.service';
import { ExecutionPromptBuilder } from './execution-prompt-builder.service';
import { ExecutionRunner } from './execution-runner.service';
import { ProviderAdapters } from './provider-adapters.service';
import { SpendGuard } from './spend-guard.service';

@Module({
  imports: [
    BullModule.registerQueue({ name: QUEUES.executions }),
    CryptoModule,
    ExecutionsCoreModule,
  ],
  providers: [
    AgentExecutionProcessor,
    ExecutionRunner,
    ExecutionClaims,
    ExecutionPromptBuilder,
    CompletionBatcher,
    ExecutionFollowUps,
    CancellationRegistry,
    ProviderAdapters,
    SpendGuard,
  ],
})
export class ExecutionsModule {}
