import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CreatedApiKeyView } from '../api-keys/api-key.view';
import { CreateApiKeyDto } from '../api-keys/dto/create-api-key.dto';
import { AdminOnly } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { PageQuery } from '../common/page.query';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { UpdateTenantDto } from './dto/update-tenant.dto';
import { CreatedTenantView, TenantPage, TenantView, toTenantView } from './tenant.view';
import { TenantsService } from './tenants.service';

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('tenant') });

@ApiTags('admin')
@ApiUnauthorizedResponse({
  type: ErrorResponse,
  description: 'missing or wrong AGENTQ_ADMIN_TOKEN',
})
@AdminOnly()
@Controller('v1/admin/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a tenant and its first API key (admin token)' })
  @ApiCreatedResponse({ type: CreatedTenantView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async create(@Body() body: CreateTenantDto): Promise<CreatedTenantView> {
    const { tenant, apiKey } = await this.tenants.createWithFirstKey(body.name);
    return {
      id: tenant.id,
      name: tenant.name,
      apiKey: { id: apiKey.id, prefix: apiKey.prefix, key: apiKey.key },
    };
  }

  @Get()
  @ApiOperation({ summary: 'List tenants, newest first (admin token)' })
  @ApiOkResponse({ type: TenantPage })
  async list(@Query() query: PageQuery): Promise<TenantPage> {
    const page = await this.tenants.list(query);
    return { data: page.data.map(toTenantView), nextCursor: page.nextCursor };
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a tenant or set its spend budgets (admin token)' })
  @ApiOkResponse({ type: TenantView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async update(
    @Param('id', uuidOr404) tenantId: string,
    @Body() body: UpdateTenantDto,
  ): Promise<TenantView> {
    return toTenantView(await this.tenants.update(tenantId, body));
  }

  @Post(':id/api-keys')
  @ApiOperation({
    summary: 'Issue an API key for a tenant, e.g. after all its keys were revoked (admin token)',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  issueApiKey(
    @Param('id', uuidOr404) tenantId: string,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyView> {
    return this.tenants.issueApiKey(tenantId, body);
  }
}
