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
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { CreateProviderDto } from './dto/create-provider.dto';
import { UpdateProviderDto } from './dto/update-provider.dto';
import { ProviderList, ProviderView, toProviderView } from './provider.view';
import { ProvidersService } from './providers.service';

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('provider') });

@ApiTags('providers')
@ApiBearerAuth()
@Controller('v1/providers')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Post()
  @ApiOperation({
    summary: 'Add an LLM provider; its API key is stored encrypted and never returned',
  })
  @ApiCreatedResponse({ type: ProviderView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'provider_name_taken' })
  async create(
    @TenantId() tenantId: string,
    @Body() body: CreateProviderDto,
  ): Promise<ProviderView> {
    return toProviderView(await this.providers.create(tenantId, body));
  }

  @Get()
  @ApiOperation({ summary: 'List providers, oldest first' })
  @ApiOkResponse({ type: ProviderList })
  async list(@TenantId() tenantId: string): Promise<ProviderList> {
    return { data: (await this.providers.list(tenantId)).map(toProviderView) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A provider (its API key never shown, only the last four characters)' })
  @ApiOkResponse({ type: ProviderView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<ProviderView> {
    return toProviderView(await this.providers.get(tenantId, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a provider; a new apiKey replaces the stored one, null clears it',
  })
  @ApiOkResponse({ type: ProviderView })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'provider_name_taken' })
  async update(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Body() body: UpdateProviderDto,
  ): Promise<ProviderView> {
    return toProviderView(await this.providers.update(tenantId, id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a provider no agent uses' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'provider_in_use' })
  async remove(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string): Promise<void> {
    await this.providers.remove(tenantId, id);
  }
}
