import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../shared/db/batch-write.ts';
import { userMembershipToItem } from '../shared/db/item-mappers.ts';
import { scanAll } from './table-admin.ts';

/**
 * `npm run admin -- backfill-member-index`: memberships written by a deployment from before
 * users had a mark of each of their memberships (USER#<user> / MEMBER#<ws>, which
 * `POST /api-keys` reads: only members hold keys) get it. Safe to run again, and while the
 * API serves: a mark is the same item whoever writes it. Run it once after upgrading.
 */
export async function backfillMemberIndex(client: DynamoDBDocumentClient, tableName: string): Promise<{ memberships: number }> {
  const memberships = await scanAll(client, tableName, { FilterExpression: 'entity = :entity', ExpressionAttributeValues: { ':entity': 'membership' } });
  await batchWriteAll(client, tableName, memberships.map((item) => ({ PutRequest: { Item: userMembershipToItem(Number(item.workspace_id), Number(item.user_id)) } })));
  return { memberships: memberships.length };
}
