import { randomUUID } from 'node:crypto';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { ensureTable } from '../admin/table-admin.ts';
import { median, round } from './stats.ts';

/**
 * What the writes of a start and a stop cost on this DynamoDB alone, without our code: the
 * reference's (a conditional PutItem; a 2-item transaction) against this tree's (the same
 * put in a transaction with its mark and its timeline ConditionChecks; a 7-item transaction:
 * the tracker and its mark deleted, the entry's two copies and first version put, its span
 * and its day count added).
 * Interleaved; the ratios are what the mixed HTTP load's ratio is measured against.
 */
export async function measureWriteFloors(options: { endpoint: string; iterations: number }) {
  const tableName = `bench-writes-${Date.now()}`;
  const client = createDocumentClient({ tableName, region: 'us-east-1', endpoint: options.endpoint });
  await ensureTable(client, tableName);
  const item = (pk: string) => ({ pk, sk: 'ITEM', entity: 'bench', start_time: new Date().toISOString(), activity_description: 'bench write floor' });
  const put = (pk: string, condition = true) => ({ Put: { TableName: tableName, Item: item(pk), ...(condition ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}) } });
  const check = (pk: string) => ({ ConditionCheck: { TableName: tableName, Key: { pk, sk: 'ITEM' }, ConditionExpression: 'attribute_not_exists(pk)' } });
  const add = (pk: string) => ({ Update: { TableName: tableName, Key: { pk, sk: 'ITEM' }, UpdateExpression: 'ADD version :one', ExpressionAttributeValues: { ':one': 1 } } });
  const tracker = (id: string) => `TRACKER#${id}`;
  const variants = {
    startPut: async (id: string) => client.send(new PutCommand({ ...put(tracker(id)).Put, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
    startTransaction: async (id: string) => client.send(new TransactWriteCommand({ TransactItems: [put(tracker(id)), put(`MARK#${id}`, false), check(`SLOT#${id}`), check(`LONG#${id}`)] })),
    stopTwoItems: async (id: string) => client.send(new TransactWriteCommand({ TransactItems: [{ Delete: { TableName: tableName, Key: { pk: tracker(id), sk: 'ITEM' } } }, put(`ENTRY#${id}`)] })),
    stopSevenItems: async (id: string) =>
      client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: tableName, Key: { pk: tracker(id), sk: 'ITEM' } } },
            { Delete: { TableName: tableName, Key: { pk: `MARK#${id}`, sk: 'ITEM' } } },
            put(`ENTRY#${id}`),
            put(`BYID#${id}`),
            put(`VERSION#${id}`),
            add(`SLOT#${id}`),
            add(`COUNTS#${id}`),
          ],
        }),
      ),
  };
  const samples: Record<keyof typeof variants, number[]> = { startPut: [], startTransaction: [], stopTwoItems: [], stopSevenItems: [] };
  const timed = async (name: keyof typeof variants, id: string) => {
    const began = performance.now();
    await variants[name](id);
    return performance.now() - began;
  };
  try {
    for (let i = 0; i < options.iterations; i++) {
      // Each pair on fresh keys: a start's put, then that tracker's stop, the old way and the new, the order alternating.
      const [oldId, newId] = [randomUUID(), randomUUID()];
      const order = i % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
      for (const which of order) {
        if (which === 'old') {
          samples.startPut.push(await timed('startPut', oldId));
          samples.stopTwoItems.push(await timed('stopTwoItems', oldId));
        } else {
          samples.startTransaction.push(await timed('startTransaction', newId));
          samples.stopSevenItems.push(await timed('stopSevenItems', newId));
        }
      }
    }
    const p50 = (name: keyof typeof variants) => round(median(samples[name].slice(Math.ceil(options.iterations / 10))));
    return {
      start_put_p50_ms: p50('startPut'),
      start_transaction_p50_ms: p50('startTransaction'),
      start_write_ratio: round(p50('startTransaction') / p50('startPut'), 3),
      stop_two_items_p50_ms: p50('stopTwoItems'),
      stop_seven_items_p50_ms: p50('stopSevenItems'),
      stop_write_ratio: round(p50('stopSevenItems') / p50('stopTwoItems'), 3),
      start_and_stop_write_ratio: round((p50('startTransaction') + p50('stopSevenItems')) / (p50('startPut') + p50('stopTwoItems')), 3),
    };
  } finally {
    client.destroy();
  }
}
