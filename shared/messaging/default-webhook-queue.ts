import { SQSClient } from '@aws-sdk/client-sqs';
import { loadQueueConfig } from '../config/queue-config.ts';
import { createSqsWebhookQueue } from './sqs-webhook-queue.ts';

/** The container's delivery queue, from validated configuration (WEBHOOK_QUEUE_URL): only the functions that send import it. */
export const webhookQueueConfig = loadQueueConfig();
export const sqsClient = new SQSClient({});
export const webhookQueue = createSqsWebhookQueue(sqsClient, webhookQueueConfig.queueUrl);
