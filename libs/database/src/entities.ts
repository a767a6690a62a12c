import { Agent } from './entities/agent.entity';
import { AgentExecution } from './entities/agent-execution.entity';
import { AgentMemory } from './entities/agent-memory.entity';
import { AgentMessage } from './entities/agent-message.entity';
import { AgentUsageDaily } from './entities/agent-usage-daily.entity';
import { AgentUsageStats } from './entities/agent-usage-stats.entity';
import { ApiKey } from './entities/api-key.entity';
import { LlmProvider } from './entities/llm-provider.entity';
import { Session } from './entities/session.entity';
import { SessionEvent } from './entities/session-event.entity';
import { Tenant } from './entities/tenant.entity';
import { WorkerRegistration } from './entities/worker-registration.entity';

export const ENTITIES = [
  Tenant,
  ApiKey,
  LlmProvider,
  Agent,
  AgentMemory,
  AgentExecution,
  AgentUsageDaily,
  AgentUsageStats,
  Session,
  SessionEvent,
  AgentMessage,
  WorkerRegistration,
];
