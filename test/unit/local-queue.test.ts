import { describe, expect, it } from '@jest/globals';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { startLocalQueue } from '../../local/template/local-queue.ts';

/** The template runtime's SQS queue on its own, through the real AWS SDK client. */
const queueArn = { 'Fn::GetAtt': ['Deliveries1234', 'Arn'] };
const clientFor = (endpoint: string) => new SQSClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

describe('the local queue', () => {
  it('takes what the role allows, refuses the rest, redelivers what failed after its visibility, and dead-letters it at maxReceiveCount', async () => {
    const log: string[] = [];
    const queue = await startLocalQueue({ logicalId: 'Deliveries1234', visibilityTimeoutSeconds: 60, maxReceiveCount: 3 }, { timeScale: 0.001, region: 'us-east-1', log: (line) => log.push(line) });
    try {
      const sender = await queue.endpointFor('FanOut', [{ effect: 'Allow', actions: ['sqs:SendMessage'], resources: [queueArn] }]);
      const stranger = await queue.endpointFor('Other', [{ effect: 'Allow', actions: ['sqs:SendMessage'], resources: [{ 'Fn::GetAtt': ['OtherQueue', 'Arn'] }] }]);
      const consumer = await queue.endpointFor('Delivery', [{ effect: 'Allow', actions: ['sqs:ChangeMessageVisibility'], resources: [queueArn] }]);

      const sent = await clientFor(sender.endpoint).send(new SendMessageBatchCommand({ QueueUrl: sender.queueUrl, Entries: [{ Id: '0', MessageBody: 'ok' }, { Id: '1', MessageBody: 'fails' }] }));
      expect(sent.Successful?.map((entry) => entry.Id)).toEqual(['0', '1']);
      await expect(clientFor(stranger.endpoint).send(new SendMessageBatchCommand({ QueueUrl: stranger.queueUrl, Entries: [{ Id: '0', MessageBody: 'x' }] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
      await expect(clientFor(sender.endpoint).send(new ChangeMessageVisibilityCommand({ QueueUrl: sender.queueUrl, ReceiptHandle: 'r', VisibilityTimeout: 1 }))).rejects.toMatchObject({ name: 'AccessDeniedException' });

      const receives: Array<{ body: string; count: string }> = [];
      queue.consume({
        batchSize: 10,
        maximumConcurrency: 1,
        reportBatchItemFailures: true,
        invoke: async (event: SQSEvent) => {
          for (const record of event.Records) receives.push({ body: record.body, count: record.attributes.ApproximateReceiveCount });
          const failing = event.Records.filter((record) => record.body === 'fails');
          // The consumer hides what failed for a while, as the delivery function does with its retry schedule.
          for (const record of failing) await clientFor(consumer.endpoint).send(new ChangeMessageVisibilityCommand({ QueueUrl: consumer.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 5 }));
          return { batchItemFailures: failing.map((record) => ({ itemIdentifier: record.messageId })) };
        },
      });
      const until = Date.now() + 5000;
      while (queue.depth() > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(queue.depth()).toBe(0);
      expect(receives).toEqual([
        { body: 'ok', count: '1' },
        { body: 'fails', count: '1' },
        { body: 'fails', count: '2' },
        { body: 'fails', count: '3' },
      ]);
      expect(log).toEqual([expect.stringMatching(/moved to the dead-letter queue after 3 receives/)]);
    } finally {
      await queue.stop();
    }
  });
});
