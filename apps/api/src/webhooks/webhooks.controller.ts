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
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
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
import { PageQuery } from '../common/page.query';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { toDeliveryView, WebhookDeliveryPage, WebhookDeliveryView } from './webhook-delivery.view';
import {
  toWebhookView,
  toWebhookWithSecretView,
  WebhookPage,
  WebhookView,
  WebhookWithSecretView,
} from './webhook.view';
import { WebhooksService } from './webhooks.service';

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('webhook') });
const deliveryIdOr404 = new ParseUUIDPipe({
  exceptionFactory: () => new NotFoundError('delivery'),
});

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Add an endpoint; the answer shows its signing secret, this once only',
  })
  @ApiCreatedResponse({ type: WebhookWithSecretView })
  @ApiBadRequestResponse({
    type: ErrorResponse,
    description: 'validation_failed (with AGENTQ_BLOCK_PRIVATE_WEBHOOK_URLS, also a private url)',
  })
  async create(
    @TenantId() tenantId: string,
    @Body() body: CreateWebhookDto,
  ): Promise<WebhookWithSecretView> {
    const { webhook, secret } = await this.webhooks.create(tenantId, body);
    return toWebhookWithSecretView(webhook, secret);
  }

  @Get()
  @ApiOperation({ summary: 'List webhook endpoints, newest first (cursor pagination)' })
  @ApiOkResponse({ type: WebhookPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  async list(@TenantId() tenantId: string, @Query() query: PageQuery): Promise<WebhookPage> {
    const page = await this.webhooks.list(tenantId, query);
    return { data: page.data.map(toWebhookView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A webhook endpoint, without its secret' })
  @ApiOkResponse({ type: WebhookView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<WebhookView> {
    return toWebhookView(await this.webhooks.get(tenantId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an endpoint: url, events, description, or enable/disable it' })
  @ApiOkResponse({ type: WebhookView })
  @ApiBadRequestResponse({
    type: ErrorResponse,
    description: 'validation_failed (with AGENTQ_BLOCK_PRIVATE_WEBHOOK_URLS, also a private url)',
  })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async update(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<WebhookView> {
    return toWebhookView(await this.webhooks.update(tenantId, id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an endpoint and its deliveries' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse })
  async remove(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    await this.webhooks.remove(tenantId, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'A new signing secret (shown once); the old one also signs for 24 hours',
  })
  @ApiOkResponse({ type: WebhookWithSecretView })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async rotateSecret(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<WebhookWithSecretView> {
    const { webhook, secret } = await this.webhooks.rotateSecret(tenantId, id);
    return toWebhookWithSecretView(webhook, secret);
  }

  @Post(':id/test')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Queue a signed `webhook.test` delivery to this endpoint' })
  @ApiAcceptedResponse({ type: WebhookDeliveryView, description: 'the delivery, pending' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async test(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
  ): Promise<WebhookDeliveryView> {
    return toDeliveryView(await this.webhooks.sendTest(tenantId, id), []);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries, newest first, each with its attempts' })
  @ApiOkResponse({ type: WebhookDeliveryPage })
  @ApiBadRequestResponse({ type: ErrorResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async deliveries(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Query() query: PageQuery,
  ): Promise<WebhookDeliveryPage> {
    const page = await this.webhooks.deliveries(tenantId, id, query);
    return {
      data: page.data.map(({ delivery, attempts }) => toDeliveryView(delivery, attempts)),
      nextCursor: page.nextCursor,
    };
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send a delivery again from now, with a new retry window and the same webhook-id',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryView, description: 'the delivery, pending again' })
  @ApiNotFoundResponse({
    type: ErrorResponse,
    description: 'the webhook, or the delivery is not one of its own',
  })
  async redeliver(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Param('deliveryId', deliveryIdOr404) deliveryId: string,
  ): Promise<WebhookDeliveryView> {
    return toDeliveryView(await this.webhooks.redeliver(tenantId, id, deliveryId), []);
  }
}
