import { CreateTenantsAndApiKeys1763900000000 } from './1763900000000-CreateTenantsAndApiKeys';
import { CreateProvidersAndAgents1763900000001 } from './1763900000001-CreateProvidersAndAgents';
import { CreateExecutionsAndUsage1763900000002 } from './1763900000002-CreateExecutionsAndUsage';
import { CreateAgentContext1763900000003 } from './1763900000003-CreateAgentContext';
import { CreateWorkers1763900000004 } from './1763900000004-CreateWorkers';
import { ExtendAgentContext1763900000005 } from './1763900000005-ExtendAgentContext';
import { AddSpendBudgets1763900001000 } from './1763900001000-AddSpendBudgets';
import { EnableRowLevelSecurity1763900002000 } from './1763900002000-EnableRowLevelSecurity';
import { AuthenticateWithoutWrite1763900003000 } from './1763900003000-AuthenticateWithoutWrite';
import { LeanExecutionIndexes1763900004000 } from './1763900004000-LeanExecutionIndexes';
import { KeepUsageOfDeletedAgents1763900005000 } from './1763900005000-KeepUsageOfDeletedAgents';
import { TenantBacklogIndex1763900006000 } from './1763900006000-TenantBacklogIndex';
import { CreateSchedulesAndWebhooks1763900010000 } from './1763900010000-CreateSchedulesAndWebhooks';
import { CreatePlans1763900020000 } from './1763900020000-CreatePlans';
import { AddProviderRateLimits1763900030000 } from './1763900030000-AddProviderRateLimits';
import { AgentTools1763900040000 } from './1763900040000-AgentTools';
import { AddStreamingAndResponseFormat1763900050000 } from './1763900050000-AddStreamingAndResponseFormat';
import { AddBudgetReservations1763900062000 } from './1763900062000-AddBudgetReservations';
import { RetentionIndexes1763900065000 } from './1763900065000-RetentionIndexes';
import { AddExecutionAttribution1763900080000 } from './1763900080000-AddExecutionAttribution';
import { AddAttributionUsage1763900081000 } from './1763900081000-AddAttributionUsage';
import { AddEndUserAndKeyBudgets1763900082000 } from './1763900082000-AddEndUserAndKeyBudgets';
import { CreateAuditLog1763900083000 } from './1763900083000-CreateAuditLog';
import { CreateKnowledge1763900090000 } from './1763900090000-CreateKnowledge';
import { CreateConsoleSessions1763900100000 } from './1763900100000-CreateConsoleSessions';
import { AddExecutionCostCaps1763900110000 } from './1763900110000-AddExecutionCostCaps';
import { AddModelRoutes1763900110001 } from './1763900110001-AddModelRoutes';
import { CreateExecutionWaitpoints1763900110002 } from './1763900110002-CreateExecutionWaitpoints';
import { AddReruns1763900110003 } from './1763900110003-AddReruns';
import { AddGuardrails1763900110004 } from './1763900110004-AddGuardrails';
import { AddPerKeyLimits1763900300000 } from './1763900300000-AddPerKeyLimits';
import { AddExecutionDebounce1763900300001 } from './1763900300001-AddExecutionDebounce';
import { AddExecutionTraceId1763900500000 } from './1763900500000-AddExecutionTraceId';

/** Every migration, oldest first. A new migration is added here as well as in this folder. */
export const MIGRATIONS = [
  CreateTenantsAndApiKeys1763900000000,
  CreateProvidersAndAgents1763900000001,
  CreateExecutionsAndUsage1763900000002,
  CreateAgentContext1763900000003,
  CreateWorkers1763900000004,
  ExtendAgentContext1763900000005,
  AddSpendBudgets1763900001000,
  EnableRowLevelSecurity1763900002000,
  AuthenticateWithoutWrite1763900003000,
  LeanExecutionIndexes1763900004000,
  KeepUsageOfDeletedAgents1763900005000,
  TenantBacklogIndex1763900006000,
  CreateSchedulesAndWebhooks1763900010000,
  CreatePlans1763900020000,
  AddProviderRateLimits1763900030000,
  AgentTools1763900040000,
  AddStreamingAndResponseFormat1763900050000,
  AddBudgetReservations1763900062000,
  RetentionIndexes1763900065000,
  AddExecutionAttribution1763900080000,
  AddAttributionUsage1763900081000,
  AddEndUserAndKeyBudgets1763900082000,
  CreateAuditLog1763900083000,
  CreateKnowledge1763900090000,
  CreateConsoleSessions1763900100000,
  AddExecutionCostCaps1763900110000,
  AddModelRoutes1763900110001,
  CreateExecutionWaitpoints1763900110002,
  AddReruns1763900110003,
  AddGuardrails1763900110004,
  AddPerKeyLimits1763900300000,
  AddExecutionDebounce1763900300001,
  AddExecutionTraceId1763900500000,
];
