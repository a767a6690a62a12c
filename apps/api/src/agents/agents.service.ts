import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { recordAudit } from '@agentq/audit';
import { Agent, AgentTool, DEFAULT_MAX_STEPS, inTenantTransaction } from '@agentq/database';
import { countUnfinishedExecutions } from '@agentq/executions';
import { randomUUID } from 'node:crypto';
import { plansWaitingOnAgent } from '@agentq/plans';
import { DataSource, EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ConflictError, NotFoundError, ValidationFailedError } from '../common/api-errors';
import { definedOnly } from '../common/defined-only';
import { newestFirstPage, Page } from '../common/newest-first-page';
import { FOREIGN_KEY_VIOLATION, isConstraintViolation } from '../common/postgres-error';
import { ProvidersService } from '../providers/providers.service';
import { AgentToolsService } from './agent-tools.service';
import { CreateAgentDto } from './dto/create-agent.dto';
import { ListAgentsQuery } from './dto/list-agents.query';
import { UpdateAgentDto } from './dto/update-agent.dto';
import { llmConfigSchema } from './llm-config.schema';

const AGENTS_PROVIDER_FK = 'agents_provider_id_fkey';

@Injectable()
export class AgentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly providers: ProvidersService,
    private readonly tools: AgentToolsService,
  ) {}

  /** Every fallback names a provider of this tenant (another tenant's is 404, as unknown). */
  async checkFallbacks(tenantId: string, llmConfig: { fallbacks?: { providerId: string }[] }) {
    for (const { providerId } of llmConfig.fallbacks ?? []) {
      await this.providers.resolveForAgent(tenantId, providerId);
    }
  }

  private inTenant<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>) {
    return inTenantTransaction(this.dataSource, tenantId, work);
  }

  async create(tenantId: string, body: CreateAgentDto): Promise<Agent> {
    const providerId = await this.providers.resolveForAgent(tenantId, body.providerId);
    await this.checkFallbacks(tenantId, body.llmConfig);
    const agents = this.dataSource.getRepository(Agent);
    const id = randomUUID();
    const tools = await this.tools.sealed(tenantId, id, body.tools ?? []);
    const agent = agents.create({
      id,
      tenantId,
      providerId,
      name: body.name,
      role: body.role,
      backstory: body.backstory ?? null,
      goal: body.goal ?? null,
      description: body.description ?? null,
      llmConfig: llmConfigSchema.parse(body.llmConfig),
      status: body.status ?? 'active',
      enableMemory: body.enableMemory ?? false,
      maxConcurrency: body.maxConcurrency ?? null,
      concurrencyKey: body.concurrencyKey ?? null,
      maxConcurrencyPerKey: body.maxConcurrencyPerKey ?? null,
      rateLimitPerKey: body.rateLimitPerKey ?? null,
      capabilities: [...new Set(body.capabilities ?? [])],
      space: body.space ?? null,
      budgetDailyUsd: body.budgetDailyUsd ?? null,
      budgetMonthlyUsd: body.budgetMonthlyUsd ?? null,
      owner: body.owner ?? null,
      stream: body.stream ?? false,
      responseFormat: body.responseFormat ?? null,
      maxSteps: body.maxSteps ?? DEFAULT_MAX_STEPS,
      actionTimeoutMs: body.actionTimeoutMs ?? null,
      maxCostUsd: body.maxCostUsd ?? null,
      maxTokens: body.maxTokens ?? null,
      inputGuard: body.inputGuard ?? null,
      outputGuard: body.outputGuard ?? null,
      knowledge: body.knowledge ?? null,
    });
    agent.tools = tools;
    checkGuards(agent);
    checkPerKeyLimits(agent);
    await withProviderGuard(() =>
      this.inTenant(tenantId, async (manager) => {
        await manager.getRepository(Agent).insert(agent);
        await recordAudit(manager, {
          tenantId,
          action: 'agent.created',
          targetType: 'agent',
          targetId: id,
          before: null,
          after: { ...agent },
        });
      }),
    );
    return agent;
  }

  list(tenantId: string, query: ListAgentsQuery): Promise<Page<Agent>> {
    return this.inTenant(tenantId, (manager) => {
      const agents = manager
        .getRepository(Agent)
        .createQueryBuilder('a')
        .where('a.tenant_id = :tenantId', { tenantId });
      if (query.status) agents.andWhere('a.status = :status', { status: query.status });
      if (query.providerId)
        agents.andWhere('a.provider_id = :providerId', { providerId: query.providerId });
      if (query.space) agents.andWhere('a.space = :space', { space: query.space });
      if (query.owner) agents.andWhere('a.owner = :owner', { owner: query.owner });
      return newestFirstPage(agents, 'a', query);
    });
  }

  async get(tenantId: string, id: string): Promise<Agent> {
    const agent = await this.inTenant(tenantId, (manager) =>
      manager.getRepository(Agent).findOneBy({ id, tenantId }),
    );
    if (!agent) throw new NotFoundError('agent');
    return agent;
  }

  async update(tenantId: string, id: string, changes: UpdateAgentDto): Promise<Agent> {
    if (changes.llmConfig) await this.checkFallbacks(tenantId, changes.llmConfig);
    const update = definedOnly<QueryDeepPartialEntity<Agent>>({
      providerId:
        changes.providerId === undefined
          ? undefined
          : await this.providers.resolveForAgent(tenantId, changes.providerId),
      name: changes.name,
      role: changes.role,
      backstory: changes.backstory,
      goal: changes.goal,
      description: changes.description,
      llmConfig:
        changes.llmConfig === undefined ? undefined : llmConfigSchema.parse(changes.llmConfig),
      status: changes.status,
      enableMemory: changes.enableMemory,
      maxConcurrency: changes.maxConcurrency,
      concurrencyKey: changes.concurrencyKey,
      maxConcurrencyPerKey: changes.maxConcurrencyPerKey,
      rateLimitPerKey: changes.rateLimitPerKey,
      capabilities:
        changes.capabilities === undefined ? undefined : [...new Set(changes.capabilities)],
      space: changes.space,
      budgetDailyUsd: changes.budgetDailyUsd,
      budgetMonthlyUsd: changes.budgetMonthlyUsd,
      owner: changes.owner,
      stream: changes.stream,
      responseFormat: changes.responseFormat,
      tools:
        changes.tools === undefined
          ? undefined
          : await this.tools.sealed(tenantId, id, changes.tools),
      maxSteps: changes.maxSteps,
      actionTimeoutMs: changes.actionTimeoutMs,
      maxCostUsd: changes.maxCostUsd,
      maxTokens: changes.maxTokens,
      inputGuard: changes.inputGuard,
      outputGuard: changes.outputGuard,
      knowledge: changes.knowledge,
    });
    if (
      changes.tools !== undefined ||
      changes.inputGuard !== undefined ||
      changes.outputGuard !== undefined
    ) {
      const current = await this.get(tenantId, id);
      checkGuards({
        tools: (update.tools as AgentTool[] | undefined) ?? current.tools,
        inputGuard: changes.inputGuard === undefined ? current.inputGuard : changes.inputGuard,
        outputGuard: changes.outputGuard === undefined ? current.outputGuard : changes.outputGuard,
      });
    }
    if (
      changes.concurrencyKey !== undefined ||
      changes.maxConcurrencyPerKey !== undefined ||
      changes.rateLimitPerKey !== undefined
    ) {
      const current = await this.get(tenantId, id);
      checkPerKeyLimits({
        concurrencyKey:
          changes.concurrencyKey === undefined ? current.concurrencyKey : changes.concurrencyKey,
        maxConcurrencyPerKey:
          changes.maxConcurrencyPerKey === undefined
            ? current.maxConcurrencyPerKey
            : changes.maxConcurrencyPerKey,
        rateLimitPerKey:
          changes.rateLimitPerKey === undefined ? current.rateLimitPerKey : changes.rateLimitPerKey,
      });
    }
    if (Object.keys(update).length > 0) {
      const { affected } = await withProviderGuard(() =>
        this.inTenant(tenantId, async (manager) => {
          const agents = manager.getRepository(Agent);
          const before = await agents.findOneBy({ id, tenantId });
          const result = await agents.update({ id, tenantId }, update);
          if (before && result.affected) {
            await recordAudit(manager, {
              tenantId,
              action: 'agent.updated',
              targetType: 'agent',
              targetId: id,
              before: { ...before },
              after: { ...(await agents.findOneBy({ id, tenantId })) },
            });
          }
          return result;
        }),
      );
      if (affected === 0) throw new NotFoundError('agent');
    }
    return this.get(tenantId, id);
  }

  /**
   * Memories and ended executions go with the agent (ON DELETE CASCADE); usage rows stay.
   * Refused (409 agent_in_use, the plans named) while a plan task assigned to it has not ended:
   * its execution would vanish and the plan never end. Cancel those plans, or wait for them,
   * first. Refused too (409 agent_has_unfinished_executions, the count) while any execution of
   * the agent has not ended: accepted work is never deleted.
   */
  async remove(tenantId: string, id: string): Promise<void> {
    const { affected } = await this.inTenant(tenantId, async (manager) => {
      // The row lock waits for submissions in flight (their foreign key check shares it) and
      // makes later ones wait for this deletion, so the count below cannot miss one.
      await manager.query(`SELECT 1 FROM agents WHERE id = $1 FOR UPDATE`, [id]);
      const plans = await plansWaitingOnAgent(manager, id);
      if (plans.length > 0) {
        throw new ConflictError(
          'agent_in_use',
          `plans have unfinished tasks on this agent; cancel them or wait for them to end: ` +
            plans.join(', '),
        );
      }
      const unfinished = await countUnfinishedExecutions(manager, id);
      if (unfinished > 0) {
        throw new ConflictError(
          'agent_has_unfinished_executions',
          `${unfinished} execution(s) of this agent have not ended; cancel them or wait for ` +
            `them to end`,
          { unfinishedExecutions: unfinished },
        );
      }
      const before = await manager.getRepository(Agent).findOneBy({ id, tenantId });
      const result = await manager.getRepository(Agent).delete({ id, tenantId });
      if (before && result.affected) {
        await recordAudit(manager, {
          tenantId,
          action: 'agent.deleted',
          targetType: 'agent',
          targetId: id,
          before: { ...before },
          after: null,
        });
      }
      return result;
    });
    if (affected === 0) throw new NotFoundError('agent');
  }
}

// The provider was deleted between our check and the write: answer as if it never existed.
async function withProviderGuard<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isConstraintViolation(error, FOREIGN_KEY_VIOLATION, AGENTS_PROVIDER_FK)) {
      throw new NotFoundError('provider');
    }
    throw error;
  }
}

// Per-key limits count by the concurrency key: without one they would mean nothing.
function checkPerKeyLimits(agent: {
  concurrencyKey: string | null;
  maxConcurrencyPerKey: number | null;
  rateLimitPerKey: number | null;
}): void {
  if (agent.concurrencyKey) return;
  const problems = (['maxConcurrencyPerKey', 'rateLimitPerKey'] as const).flatMap((field) =>
    agent[field] === null
      ? []
      : [
          {
            field: 'concurrencyKey',
            message: `required with ${field}: user, apiKey or metadata.<key>`,
          },
        ],
  );
  if (problems.length > 0) throw new ValidationFailedError(problems.slice(0, 1));
}

// Each guard names an http tool of the agent (400 naming the field otherwise).
function checkGuards(agent: {
  tools: AgentTool[];
  inputGuard?: string | null;
  outputGuard?: string | null;
}): void {
  const problems = (['inputGuard', 'outputGuard'] as const).flatMap((field) => {
    const name = agent[field];
    if (!name) return [];
    const tool = agent.tools.find((candidate) => candidate.name === name);
    return tool?.type === 'http'
      ? []
      : [{ field, message: `must name an http tool of the agent; ${name} is not one` }];
  });
  if (problems.length > 0) throw new ValidationFailedError(problems);
}
