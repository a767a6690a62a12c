import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly, TenantId } from '../auth/auth.decorators';
import { ErrorResponse } from '../common/error-response';
import { AdminAuditLogQuery, AuditLogQuery } from './audit-log.query';
import { AuditLogService } from './audit-log.service';
import { AuditPage, toAuditEntryView } from './audit-log.view';

@ApiTags('audit')
@Controller('v1')
export class AuditLogController {
  constructor(private readonly auditLog: AuditLogService) {}

  @Get('audit-log')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The tenant's management writes, newest first (cursor pagination)" })
  @ApiOkResponse({ type: AuditPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async list(@TenantId() tenantId: string, @Query() query: AuditLogQuery): Promise<AuditPage> {
    const page = await this.auditLog.list(tenantId, query);
    return { data: page.data.map(toAuditEntryView), nextCursor: page.nextCursor };
  }

  @Get('admin/audit-log')
  @AdminOnly()
  @ApiOperation({ summary: "Every tenant's management writes (admin token)" })
  @ApiOkResponse({ type: AuditPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async listAll(@Query() query: AdminAuditLogQuery): Promise<AuditPage> {
    const page = await this.auditLog.listAll(query);
    return { data: page.data.map(toAuditEntryView), nextCursor: page.nextCursor };
  }
}
