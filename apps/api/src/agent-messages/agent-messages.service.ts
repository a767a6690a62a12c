import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentMessage, inTenantTransaction } from '@agentq/database';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../common/api-errors';
import { newestFirstPage, Page } from '../common/newest-first-page';
import { ListAgentMessagesQuery } from './dto/list-agent-messages.query';

@Injectable()
export class AgentMessagesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The handoffs an agent sent and received, newest first. */
  list(
    tenantId: string,
    agentId: string,
    query: ListAgentMessagesQuery,
  ): Promise<Page<AgentMessage>> {
    return inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const [agent] = await manager.query(`SELECT 1 FROM agents WHERE id = $1 AND tenant_id = $2`, [
        agentId,
        tenantId,
      ]);
      if (!agent) throw new NotFoundError('agent');
      const qb = manager
        .getRepository(AgentMessage)
        .createQueryBuilder('msg')
        .where('msg.tenant_id = :tenantId', { tenantId });
      const direction = query.direction ?? 'all';
      if (direction === 'sent') qb.andWhere('msg.from_agent_id = :agentId', { agentId });
      else if (direction === 'received') qb.andWhere('msg.to_agent_id = :agentId', { agentId });
      else qb.andWhere('(msg.from_agent_id = :agentId OR msg.to_agent_id = :agentId)', { agentId });
      if (query.sessionId)
        qb.andWhere('msg.session_id = :sessionId', { sessionId: query.sessionId });
      return newestFirstPage(qb, 'msg', query);
    });
  }
}
