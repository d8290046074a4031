import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyUnavailableError } from '../errors.ts';
import type { ExportQueue } from '../tracking/exports.ts';

/** The export jobs' queue on SQS: a send SQS refuses, or that cannot reach it, is transient (503): nothing is written before it. */
export function createSqsExportQueue(sqs: SQSClient, queueUrl: string): ExportQueue {
  return {
    async send(message) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) })).catch((error: unknown) => {
        throw new DependencyUnavailableError(1, { cause: error });
      });
    },
  };
}
