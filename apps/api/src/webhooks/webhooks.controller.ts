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
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { toWebhookView } from '@agentq/webhooks';
import { TenantId } from '../auth/auth.decorators';
import { NotFoundError } from '../common/api-errors';
import { ErrorResponse } from '../common/error-response';
import { PageQuery } from '../common/page.query';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { toDeliveryView } from './webhook-delivery.view';
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
  @ApiResponse({ status: 201 })
  async create(@TenantId() tenantId: string, @Body() body: CreateWebhookDto) {
    const { webhook, secret } = await this.webhooks.create(tenantId, body);
    return { ...toWebhookView(webhook), secret };
  }

  @Get()
  async list(@TenantId() tenantId: string, @Query() query: PageQuery) {
    const page = await this.webhooks.list(tenantId, query);
    return { data: page.data.map(toWebhookView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    return toWebhookView(await this.webhooks.get(tenantId, id));
  }

  @Patch(':id')
  async update(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Body() body: UpdateWebhookDto,
  ) {
    return toWebhookView(await this.webhooks.update(tenantId, id, body));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  async remove(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    await this.webhooks.remove(tenantId, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'A new signing secret (shown once); the old one also signs for 24 hours',
  })
  async rotateSecret(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    const { webhook, secret } = await this.webhooks.rotateSecret(tenantId, id);
    return { ...toWebhookView(webhook), secret };
  }

  @Post(':id/test')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Queue a signed `webhook.test` delivery to this endpoint' })
  async test(@TenantId() tenantId: string, @Param('id', uuidOr404) id: string) {
    return toDeliveryView(await this.webhooks.sendTest(tenantId, id), []);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries, newest first, each with its attempts' })
  async deliveries(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Query() query: PageQuery,
  ) {
    const page = await this.webhooks.deliveries(tenantId, id, query);
    return {
      data: page.data.map(({ delivery, attempts }) => toDeliveryView(delivery, attempts)),
      nextCursor: page.nextCursor,
    };
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  async redeliver(
    @TenantId() tenantId: string,
    @Param('id', uuidOr404) id: string,
    @Param('deliveryId', deliveryIdOr404) deliveryId: string,
  ) {
    return toDeliveryView(await this.webhooks.redeliver(tenantId, id, deliveryId), []);
  }
}
