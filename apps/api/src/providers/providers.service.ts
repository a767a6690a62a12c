import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { CredentialCipher } from '@agentq/crypto';
import { recordAudit } from '@agentq/audit';
import { inTenantTransaction, LlmProvider } from '@agentq/database';
import { destinationProblem, systemResolver } from '@agentq/outbound';
import { DataSource, EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  ApiError,
  ConflictError,
  NotFoundError,
  ValidationFailedError,
} from '../common/api-errors';
import { definedOnly } from '../common/defined-only';
import {
  FOREIGN_KEY_VIOLATION,
  isConstraintViolation,
  UNIQUE_VIOLATION,
} from '../common/postgres-error';
import { CreateProviderDto } from './dto/create-provider.dto';
import { UpdateProviderDto } from './dto/update-provider.dto';
import {
  apiKeyLast4,
  connectionProblems,
  ProviderConnection,
  storedKeyProblems,
} from './provider-requirements';

const NAME_UNIQUE = 'llm_providers_tenant_name_key';
const AGENTS_PROVIDER_FK = 'agents_provider_id_fkey';

@Injectable()
export class ProvidersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: CredentialCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // With AGENTQ_BLOCK_PRIVATE_PROVIDER_URLS, an early answer for a base URL that cannot reach a
  // global address; the worker's outbound client checks again on every connection.
  private async assertAllowedDestination(baseUrl: string | null | undefined) {
    if (!baseUrl || !this.config.providers.blockPrivateUrls) return;
    const problem = await destinationProblem(baseUrl, systemResolver);
    if (problem) throw new ValidationFailedError([{ field: 'baseUrl', message: problem }]);
  }

  list(tenantId: string): Promise<LlmProvider[]> {
    return inTenantTransaction(this.dataSource, tenantId, (manager) =>
      manager
        .getRepository(LlmProvider)
        .find({ where: { tenantId }, order: { createdAt: 'ASC', id: 'ASC' } }),
    );
  }

  async get(tenantId: string, id: string): Promise<LlmProvider> {
    const provider = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      manager.getRepository(LlmProvider).findOneBy({ id, tenantId }),
    );
    if (!provider) throw new NotFoundError('provider');
    return provider;
  }

  /** The tenant's first provider becomes its default unless the body says otherwise. */
  async create(tenantId: string, body: CreateProviderDto): Promise<LlmProvider> {
    assertConnectable({
      type: body.type,
      hasApiKey: Boolean(body.apiKey),
      baseUrl: body.baseUrl ?? null,
    });
    await this.assertAllowedDestination(body.baseUrl);
    // The id is made here because the encrypted key is bound to it.
    const id = randomUUID();
    return this.writing(tenantId, async (manager) => {
      const providers = manager.getRepository(LlmProvider);
      await lockDefaultProvider(manager, tenantId);
      const isDefault = body.isDefault ?? !(await providers.existsBy({ tenantId }));
      if (isDefault) await providers.update({ tenantId, isDefault: true }, { isDefault: false });
      await providers.insert({
        id,
        tenantId,
        name: body.name,
        type: body.type,
        baseUrl: body.baseUrl ?? null,
        ...this.sealedApiKey(tenantId, id, body.apiKey ?? null),
        isDefault,
        isActive: body.isActive ?? true,
        pricing: body.pricing ?? null,
        rateLimit: body.rateLimit ?? null,
        settings: body.settings ?? {},
      });
      const created = await providers.findOneByOrFail({ id, tenantId });
      await recordAudit(manager, {
        tenantId,
        action: 'provider.created',
        targetType: 'provider',
        targetId: id,
        before: null,
        after: { ...created },
      });
      return created;
    });
  }

  async update(tenantId: string, id: string, changes: UpdateProviderDto): Promise<LlmProvider> {
    await this.assertAllowedDestination(changes.baseUrl);
    return this.writing(tenantId, async (manager) => {
      const providers = manager.getRepository(LlmProvider);
      if (changes.isDefault) await lockDefaultProvider(manager, tenantId);
      const current = await providers.findOne({
        where: { id, tenantId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!current) throw new NotFoundError('provider');
      const keyProblems = storedKeyProblems({
        current: { ...current, hasApiKey: current.apiKeyCiphertext !== null },
        changes,
      });
      if (keyProblems.length > 0) throw new ValidationFailedError(keyProblems);
      assertConnectable({
        type: changes.type ?? current.type,
        hasApiKey:
          changes.apiKey === undefined
            ? current.apiKeyCiphertext !== null
            : changes.apiKey !== null,
        baseUrl: changes.baseUrl === undefined ? current.baseUrl : changes.baseUrl,
      });
      if (changes.isDefault && !current.isDefault) {
        await providers.update({ tenantId, isDefault: true }, { isDefault: false });
      }
      const update = definedOnly<QueryDeepPartialEntity<LlmProvider>>({
        name: changes.name,
        type: changes.type,
        baseUrl: changes.baseUrl,
        isDefault: changes.isDefault,
        isActive: changes.isActive,
        pricing: changes.pricing,
        rateLimit: changes.rateLimit,
        settings: changes.settings,
        ...(changes.apiKey === undefined ? {} : this.sealedApiKey(tenantId, id, changes.apiKey)),
      });
      if (Object.keys(update).length > 0) await providers.update({ id, tenantId }, update);
      const updated = await providers.findOneByOrFail({ id, tenantId });
      await recordAudit(manager, {
        tenantId,
        action: 'provider.updated',
        targetType: 'provider',
        targetId: id,
        before: { ...current },
        after: { ...updated },
      });
      return updated;
    });
  }

  async remove(tenantId: string, id: string): Promise<void> {
    try {
      const { affected } = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
        const before = await manager.getRepository(LlmProvider).findOneBy({ id, tenantId });
        const result = await manager.getRepository(LlmProvider).delete({ id, tenantId });
        if (before && result.affected) {
          await recordAudit(manager, {
            tenantId,
            action: 'provider.deleted',
            targetType: 'provider',
            targetId: id,
            before: { ...before },
            after: null,
          });
        }
        return result;
      });
      if (affected === 0) throw new NotFoundError('provider');
    } catch (error) {
      if (isConstraintViolation(error, FOREIGN_KEY_VIOLATION, AGENTS_PROVIDER_FK)) {
        throw new ConflictError(
          'provider_in_use',
          'agents use this provider; move or delete them first',
        );
      }
      throw error;
    }
  }

  /** The provider an agent should use: the one it names (if the tenant owns it) or the default. */
  resolveForAgent(tenantId: string, providerId: string | undefined): Promise<string> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const providers = manager.getRepository(LlmProvider);
      if (providerId !== undefined) {
        if (!(await providers.existsBy({ id: providerId, tenantId }))) {
          throw new NotFoundError('provider');
        }
        return providerId;
      }
      const fallback = await providers.findOne({
        select: { id: true },
        where: { tenantId, isDefault: true },
      });
      if (!fallback) {
        throw new ApiError(
          HttpStatus.BAD_REQUEST,
          'no_default_provider',
          'no providerId given and the tenant has no default provider',
        );
      }
      return fallback.id;
    });
  }

  private sealedApiKey(tenantId: string, providerId: string, apiKey: string | null) {
    return {
      apiKeyCiphertext:
        apiKey === null ? null : this.cipher.encrypt(apiKey, { tenantId, providerId }),
      apiKeyLast4: apiKey === null ? null : apiKeyLast4(apiKey),
    };
  }

  private async writing<T>(
    tenantId: string,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    try {
      return await inTenantTransaction(this.dataSource, tenantId, work);
    } catch (error) {
      if (isConstraintViolation(error, UNIQUE_VIOLATION, NAME_UNIQUE)) {
        throw new ConflictError('provider_name_taken', 'a provider with this name already exists');
      }
      throw error;
    }
  }
}

function assertConnectable(connection: ProviderConnection): void {
  const problems = connectionProblems(connection);
  if (problems.length > 0) throw new ValidationFailedError(problems);
}

// Serialises default-provider changes per tenant (the tenant row, without blocking FK checks).
async function lockDefaultProvider(manager: EntityManager, tenantId: string): Promise<void> {
  await manager.query('SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE', [tenantId]);
}
