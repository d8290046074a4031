import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DELIVERY_TIMEOUT_MS } from '../../shared/webhooks/delivery.ts';
import type { DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { createWebhookRepository } from '../../shared/db/webhook-repository.ts';
import { fanOut, messageIdOf, trackingEventsOf } from '../../shared/webhooks/events.ts';
import { newWebhookSecret } from '../../shared/webhooks/secrets.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { emitted, series } from '../support/emf.ts';
import { WS } from '../support/fixtures.ts';
import { lambdaContext } from '../support/http-events.ts';

/**
 * The deployed webhook functions, driven with the events Lambda would give them, against
 * DynamoDB Local; the queue is unreachable here, which is the failure path they must survive.
 */
let table: TestTable;
let fanOutHandler: typeof import('../../functions/webhook-fan-out/handler.ts')['handler'];
let deliveryHandler: typeof import('../../functions/webhook-delivery/handler.ts')['handler'];
const trackerImage = {
  pk: 'USER#101',
  sk: 'TRACKER',
  entity: 'tracker',
  tracker_id: 't-1',
  workspace_id: WS,
  user_id: 101,
  contract_id: null,
  project_id: null,
  task_id: null,
  activity_description: null,
  start_time: '2030-01-15T10:00:00+00:00',
  started_by: 100,
  request_id: 'r',
};

beforeAll(async () => {
  table = await createTestTable('webhook-functions');
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  // Nothing listens there: sending to the queue fails, as during an SQS outage.
  process.env.WEBHOOK_QUEUE_URL = 'http://127.0.0.1:9/000000000000/deliveries';
  process.env.AWS_ENDPOINT_URL_SQS = 'http://127.0.0.1:9';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  // The receivers of these tests listen on loopback.
  process.env.WEBHOOK_ALLOW_HTTP_LOOPBACK = 'true';
  ({ handler: fanOutHandler } = await import('../../functions/webhook-fan-out/handler.ts'));
  ({ handler: deliveryHandler } = await import('../../functions/webhook-delivery/handler.ts'));
});
afterAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  delete process.env.WEBHOOK_ALLOW_HTTP_LOOPBACK;
  await table.drop();
});

const streamEvent = (sequence: string): DynamoDBStreamEvent => ({
  Records: [{ eventName: 'INSERT', dynamodb: { SequenceNumber: sequence, NewImage: marshall(trackerImage, { removeUndefinedValues: true }) as never } }],
});

describe('webhook-fan-out', () => {
  it('queues nothing for a workspace without webhooks, and counts it', async () => {
    let result;
    const documents = await emitted(async () => (result = await fanOutHandler(streamEvent('1'), lambdaContext())));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(series(documents, 'WebhookDeliveriesQueued')).toEqual([expect.objectContaining({ value: 0 })]);
  });

  it('reports the record when the queue cannot take its deliveries, so that the stream retries it', async () => {
    const webhooks = createWebhookRepository(table.client, table.tableName);
    await webhooks.create(
      {
        id: 'wh_fan',
        workspaceId: WS,
        url: 'https://hooks.example.com/x',
        events: ['tracker.started'],
        description: null,
        sealedSecret: newWebhookSecret(),
        createdAt: '2030-01-01T00:00:00+00:00',
        status: 'enabled',
        disabledReason: null,
        sealedPreviousSecret: null,
        previousSecretUntil: null,
        createdBy: null,
        failingSince: null,
      },
      10,
    );
    expect(await fanOutHandler(streamEvent('42'), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: '42' }] });
  }, 20_000);
});

describe('webhook-delivery', () => {
  it('drops a delivery to a deleted webhook, keeps one that could not be sent for a retry, and counts both', async () => {
    const webhooks = createWebhookRepository(table.client, table.tableName);
    await webhooks.create(
      {
        id: 'wh_nowhere',
        workspaceId: WS,
        url: 'https://hooks.invalid/x',
        events: ['tracker.started'],
        description: null,
        sealedSecret: newWebhookSecret(),
        createdAt: '2030-01-01T00:00:00+00:00',
        status: 'enabled',
        disabledReason: null,
        sealedPreviousSecret: null,
        previousSecretUntil: null,
        createdBy: null,
        failingSince: null,
      },
      10,
    );
    const event = trackingEventsOf({ eventName: 'INSERT', newImage: trackerImage })[0]!;
    const [toNowhere] = fanOut(
      event,
      [await webhooks.get(WS, 'wh_nowhere')!].filter((webhook) => webhook !== undefined),
    );
    const toDeleted = { ...toNowhere!, subscriptionId: 'wh_deleted', messageId: messageIdOf(event.eventKey, 'wh_deleted') };
    const record = (id: string, body: object) => ({ messageId: id, receiptHandle: `handle-${id}`, body: JSON.stringify(body), attributes: { ApproximateReceiveCount: '1' } });
    let result;
    const documents = await emitted(async () => (result = await deliveryHandler({ Records: [record('a', toDeleted), record('b', toNowhere!)] } as unknown as SQSEvent, lambdaContext())));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    expect(
      series(documents, 'WebhookAttempts')
        .map((entry) => [entry.dimensions.outcome, entry.value])
        .sort(),
    ).toEqual([
      ['dropped', 1],
      ['retry', 1],
    ]);
  }, 20_000);

  it('fails a message that is not a delivery (it goes on to the dead-letter queue), never drops it as a deleted webhook', async () => {
    const pointer = { requestContext: { condition: 'RetryAttemptsExhausted' }, DDBStreamBatchInfo: { shardId: 'shard-1', startSequenceNumber: '1' } };
    const record = { messageId: 'p', receiptHandle: 'handle-p', body: JSON.stringify(pointer), attributes: { ApproximateReceiveCount: '1' } };
    let result;
    const documents = await emitted(async () => (result = await deliveryHandler({ Records: [record] } as unknown as SQSEvent, lambdaContext())));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'p' }] });
    expect(series(documents, 'WebhookAttempts')).toEqual([]);
  });

  it('ends every attempt at its deadline: a receiver trickling one byte every 3 s holds up no other delivery of the batch', async () => {
    const sockets = new Set<Socket>();
    const receiver = createServer((request, response) => {
      request.resume();
      if (request.url === '/ok') {
        response.writeHead(204).end();
        return;
      }
      // Never completes its status line: one byte every 3 s.
      const socket = request.socket;
      const timer = setInterval(() => socket.write('H'), 3000);
      socket.once('close', () => clearInterval(timer));
    });
    receiver.on('connection', (socket) => (sockets.add(socket), socket.once('close', () => sockets.delete(socket))));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    try {
      const workspace = WS + 50;
      const webhooks = createWebhookRepository(table.client, table.tableName);
      const records = [];
      for (let index = 0; index < 10; index++) {
        const id = `wh_batch${index}`;
        await webhooks.create(
          {
            id,
            workspaceId: workspace,
            url: `http://127.0.0.1:${port}/${index === 3 ? 'slow' : 'ok'}`,
            events: ['tracker.started'],
            description: null,
            sealedSecret: newWebhookSecret(),
            createdAt: '2030-01-01T00:00:00+00:00',
            status: 'enabled',
            disabledReason: null,
            sealedPreviousSecret: null,
            previousSecretUntil: null,
            createdBy: null,
            failingSince: null,
          },
          10,
        );
        const [delivery] = fanOut(trackingEventsOf({ eventName: 'INSERT', newImage: { ...trackerImage, workspace_id: workspace } })[0]!, [(await webhooks.get(workspace, id))!]);
        records.push({ messageId: `m${index}`, receiptHandle: `handle-${index}`, body: JSON.stringify(delivery), attributes: { ApproximateReceiveCount: '1' } });
      }
      const started = Date.now();
      const result = await deliveryHandler({ Records: records } as unknown as SQSEvent, lambdaContext({ getRemainingTimeInMillis: () => 10_000 }));
      const elapsed = Date.now() - started;
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }] });
      // The attempt's deadline (5 s) and not the trickle decides; the function's timeout (10 s) is never reached.
      expect(elapsed).toBeGreaterThanOrEqual(DELIVERY_TIMEOUT_MS - 100);
      expect(elapsed).toBeLessThan(DELIVERY_TIMEOUT_MS + 2000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  }, 20_000);
});
