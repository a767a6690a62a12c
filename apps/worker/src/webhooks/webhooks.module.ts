import { Module } from '@nestjs/common';
import { CryptoModule } from '@agentq/crypto';
import { QUEUES } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookDispatcher } from './webhook-dispatcher.processor';

/** Webhook deliveries: dispatched from the PostgreSQL outbox, sent on a queue of their own. */
@Module({
  imports: [registerQueues(QUEUES.webhookDispatch, QUEUES.webhookDeliveries), CryptoModule],
  providers: [WebhookDispatcher, WebhookDeliveryProcessor],
})
export class WebhooksModule {}
