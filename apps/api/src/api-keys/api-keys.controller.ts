import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, AuthContext, TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { ApiKeyList, ApiKeyView, CreatedApiKeyView, toApiKeyView } from './api-key.view';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { UpdateApiKeyDto } from './dto/update-api-key.dto';

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('API key') });

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: "Create an API key for the caller's tenant; the key is shown once" })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'asked for a scope the caller lacks' })
  create(@Auth() caller: AuthContext, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    return this.apiKeys.issueForCaller(caller, body);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys, revoked ones included; never the secrets' })
  @ApiOkResponse({ type: ApiKeyList })
  async list(@TenantId() tenantId: string): Promise<ApiKeyList> {
    return { data: (await this.apiKeys.list(tenantId)).map(toApiKeyView) };
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename an API key or change its budgets (null clears one)' })
  @ApiOkResponse({ type: ApiKeyView })
  @ApiBadRequestResponse({
    type: ErrorResponse,
    description: 'validation_failed, naming the field',
  })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async update(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Body() body: UpdateApiKeyDto,
  ): Promise<ApiKeyView> {
    return toApiKeyView(await this.apiKeys.update(tenantId, id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke an API key; requests with it fail from now on' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse })
  async revoke(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string): Promise<void> {
    await this.apiKeys.revoke(tenantId, id);
  }
}
