import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/db/document-client.ts';
import type { Seed } from '../../admin/seed.ts';
import { writeSeedItems } from '../../admin/seed-loader.ts';
import { ensureTable, putItems, scanAll } from '../../admin/table-admin.ts';
import type { ItemKey } from '../../shared/db/keys.ts';

/**
 * A fresh table in the run's DynamoDB Local for one test file. It also sets TABLE_NAME, so
 * a handler imported afterwards (dynamic import) uses this table.
 */
export async function createTestTable(prefix = 'test') {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run the tests with `npm test`.');
  const tableName = `${prefix}-${randomUUID()}`;
  process.env.TABLE_NAME = tableName;
  const client = createDocumentClient({ tableName, region: process.env.AWS_REGION ?? 'us-east-1', endpoint });
  await ensureTable(client, tableName);
  return {
    tableName,
    client,
    seed: (seed: Seed) => writeSeedItems(client, tableName, seed),
    put: (items: Record<string, unknown>[]) => putItems(client, tableName, items),
    get: async (key: ItemKey) => (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item,
    /** Every item of the table: what a user would inspect after a request. */
    scan: () => scanAll(client, tableName),
    /** Removes trackers, time entries (and their report and timesheet months), timesheets, workspace settings, invitations and idempotency records; keeps the directory and keys. */
    clearTrackingData: async () => {
      for (const item of await scanAll(client, tableName)) {
        if (
          item.sk === 'TRACKER' ||
          item.sk === 'SETTINGS' ||
          String(item.sk).startsWith('ENTRY#') ||
          String(item.sk).startsWith('TIMELINE#') ||
          String(item.sk).startsWith('COUNTS#') ||
          String(item.sk).startsWith('ACTIVE#') ||
          String(item.pk).startsWith('TIMEENTRY#') ||
          String(item.pk).startsWith('IDEMPOTENCY#') ||
          String(item.sk).startsWith('INVITATION#') ||
          String(item.pk).includes('#SHEETS#') ||
          String(item.pk).includes('#TIMESHEET#') ||
          String(item.pk).includes('#REPORT#') ||
          String(item.pk).includes('#REQUEST')
        ) {
          await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk } }));
        }
      }
    },
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}

export type TestTable = Awaited<ReturnType<typeof createTestTable>>;
