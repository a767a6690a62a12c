import { JobsOptions } from 'bullmq';

export const WEBHOOK_DISPATCH_JOB = 'dispatch-webhook-deliveries';
export const WEBHOOK_DISPATCH_SCHEDULER_ID = 'dispatch-webhook-deliveries-every';
export type WebhookDispatchJobData = Record<string, never>;
export interface WebhookDispatchJobResult {
  /** Due deliveries handed to the delivery queue. */
  dispatched: number;
}

export const webhookDispatchJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: { count: 20 },
  removeOnFail: { count: 100 },
};

export const WEBHOOK_DELIVERY_JOB = 'deliver-webhook';

/** Ids only: the delivery row owns the state, the payload is read when it is sent. */
export interface WebhookDeliveryJobData {
  deliveryId: string;
  tenantId: string;
  /** The attempt this job makes (1-based); a job for an attempt already made does nothing. */
  attempt: number;
}

export type WebhookDeliveryJobResult =
  | { outcome: 'succeeded' | 'retrying' | 'given_up' | 'refused'; statusCode: number | null }
  | { outcome: 'stale' };

/**
 * One job per attempt: the row decides when a delivery is tried again, so an endpoint's answer
 * never makes the job fail.
 */
export function webhookDeliveryJobId(deliveryId: string, attempt: number): string {
  return `${deliveryId}-attempt-${attempt}`;
}

/**
 * A job fails only when its attempt could not be claimed or recorded (PostgreSQL or Redis
 * unavailable): BullMQ tries it again for about 15 s, and a job that still fails is removed, never
 * kept, because BullMQ ignores an add whose id it still holds: the dispatcher's next add (once the
 * row's lease ends) or a redelivery would otherwise never run.
 */
export const webhookDeliveryJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: true,
};
