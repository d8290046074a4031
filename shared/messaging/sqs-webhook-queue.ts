import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyUnavailableError } from '../errors.ts';
import type { WebhookQueue } from '../webhooks/model.ts';

/**
 * The delivery queue on SQS: messages sent ten to a batch, in order, each with its workspace
 * as its message group (a standard queue with message groups is an SQS fair queue). A batch SQS refuses in
 * part, or cannot be reached, is transient (503): nothing a caller did wrong, and sending
 * again is safe (every copy of a message has its webhook-id).
 */
export function createSqsWebhookQueue(sqs: SQSClient, queueUrl: string): WebhookQueue {
  return {
    async send(messages) {
      for (let start = 0; start < messages.length; start += 10) {
        const batch = messages.slice(start, start + 10);
        const output = await sqs
          .send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: batch.map((entry, index) => ({
                Id: String(index),
                MessageBody: JSON.stringify(entry.message),
                // The workspace is the tenant of a fair queue: one workspace's backlog (a flood of replays) does not delay the others'.
                MessageGroupId: `ws-${entry.message.workspaceId}`,
                ...(entry.delaySeconds ? { DelaySeconds: entry.delaySeconds } : {}),
              })),
            }),
          )
          .catch((error: unknown) => {
            throw new DependencyUnavailableError(1, { cause: error });
          });
        if (output.Failed?.length) throw new DependencyUnavailableError(1, { cause: new Error(`${output.Failed.length} messages could not be queued`) });
      }
    },
  };
}
