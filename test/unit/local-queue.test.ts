import { describe, expect, it } from '@jest/globals';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { startLocalQueue } from '../../local/sqs/local-queue.ts';

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

      const sent = await clientFor(sender.endpoint).send(
        new SendMessageBatchCommand({
          QueueUrl: sender.queueUrl,
          Entries: [
            { Id: '0', MessageBody: 'ok' },
            { Id: '1', MessageBody: 'fails' },
          ],
        }),
      );
      expect(sent.Successful?.map((entry) => entry.Id)).toEqual(['0', '1']);
      await expect(clientFor(stranger.endpoint).send(new SendMessageBatchCommand({ QueueUrl: stranger.queueUrl, Entries: [{ Id: '0', MessageBody: 'x' }] }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
      await expect(clientFor(sender.endpoint).send(new ChangeMessageVisibilityCommand({ QueueUrl: sender.queueUrl, ReceiptHandle: 'r', VisibilityTimeout: 1 }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });

      const receives: Array<{ body: string; count: string }> = [];
      queue.consume({
        batchSize: 10,
        maximumConcurrency: 1,
        reportBatchItemFailures: true,
        invoke: async (event: SQSEvent) => {
          for (const record of event.Records) receives.push({ body: record.body, count: record.attributes.ApproximateReceiveCount });
          const failing = event.Records.filter((record) => record.body === 'fails');
          // The consumer hides what failed for a while, as the delivery function does with its retry schedule.
          for (const record of failing)
            await clientFor(consumer.endpoint).send(new ChangeMessageVisibilityCommand({ QueueUrl: consumer.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: 5 }));
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

  it("is fair by message group, as an SQS fair queue: a quiet workspace's message is not stuck behind another's backlog", async () => {
    const queue = await startLocalQueue({ logicalId: 'Deliveries1234', visibilityTimeoutSeconds: 60, maxReceiveCount: undefined }, { timeScale: 0.001, region: 'us-east-1', log: () => {} });
    try {
      const sender = await queue.endpointFor('FanOut', [{ effect: 'Allow', actions: ['sqs:SendMessage'], resources: [queueArn] }]);
      const client = clientFor(sender.endpoint);
      // A flood from one workspace (a replay), then one event of another, then more of the flood.
      for (let batch = 0; batch < 3; batch++) {
        await client.send(
          new SendMessageBatchCommand({
            QueueUrl: sender.queueUrl,
            Entries: Array.from({ length: 10 }, (_, index) => ({ Id: String(index), MessageBody: `noisy ${batch * 10 + index}`, MessageGroupId: 'ws-1' })),
          }),
        );
      }
      await client.send(new SendMessageBatchCommand({ QueueUrl: sender.queueUrl, Entries: [{ Id: '0', MessageBody: 'quiet', MessageGroupId: 'ws-2' }] }));
      const order: string[] = [];
      let release!: () => void;
      const first = new Promise<void>((resolve) => (release = resolve));
      queue.consume({
        batchSize: 1,
        maximumConcurrency: 2,
        reportBatchItemFailures: true,
        invoke: async (event: SQSEvent) => {
          order.push(event.Records[0]!.body);
          // The noisy workspace's first message holds a consumer (a slow receiver).
          if (order.length === 1) await first;
          return { batchItemFailures: [] };
        },
      });
      const until = Date.now() + 5000;
      while (order.length < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      release();
      while (queue.depth() > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      // Without groups (or in plain arrival order) the quiet message would be the 31st.
      expect(order.slice(0, 2)).toEqual(['noisy 0', 'quiet']);
      expect(order.filter((body) => body.startsWith('noisy'))).toEqual(Array.from({ length: 30 }, (_, index) => `noisy ${index}`));
    } finally {
      await queue.stop();
    }
  });
});
