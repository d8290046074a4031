import { SQSClient } from '@aws-sdk/client-sqs';
import { loadExportQueueConfig } from '../config/export-config.ts';
import { createSqsExportQueue } from './sqs-export-queue.ts';

/**
 * The container's export queue, from validated configuration (EXPORT_QUEUE_URL): only the
 * functions that queue jobs import it (the create route, and the worker queueing a paused job
 * again). Its client talks to the queue URL's own host: the same SQS endpoint deployed, this
 * queue's own endpoint on one machine.
 */
const { queueUrl } = loadExportQueueConfig();
export const exportQueue = createSqsExportQueue(new SQSClient({ endpoint: new URL(queueUrl).origin }), queueUrl);
