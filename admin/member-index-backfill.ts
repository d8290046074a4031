import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../shared/db/batch-write.ts';
import { failedConditions, isTransactionConflict } from '../shared/db/dynamo-errors.ts';
import { userMembershipToItem } from '../shared/db/item-mappers.ts';
import { ACTIVE_OWNER } from '../shared/db/directory-repository.ts';
import { keys } from '../shared/db/keys.ts';
import { queryAll } from '../shared/db/query-all.ts';
import { scanAll } from './table-admin.ts';

type Item = Record<string, unknown>;
// As the write's own check reads it (a membership without a status attribute is not counted).
const isActiveOwner = (item: Item) => item.role === 'owner' && item.status === 'active';
const IS_ACTIVE_OWNER = { ConditionExpression: ACTIVE_OWNER.expression, ExpressionAttributeNames: ACTIVE_OWNER.names, ExpressionAttributeValues: ACTIVE_OWNER.values };
const NOT_ACTIVE_OWNER = { ...IS_ACTIVE_OWNER, ConditionExpression: `attribute_not_exists(pk) OR NOT (${ACTIVE_OWNER.expression})` };

/**
 * `npm run admin -- backfill-member-index`: memberships written by a deployment from before
 * their indexes get them: a mark in the user's partition (USER#<user> / MEMBER#<ws>, which
 * `POST /api-keys` reads: only members hold keys) and the workspace's owners set (WS#<ws> /
 * OWNERS, which the last-owner rule reads instead of every membership). Safe to run again,
 * and while the API serves: a mark is the same item whoever writes it, and each change of
 * an owners set is a transaction with a check of that membership as it is then. Run it once
 * after upgrading.
 */
export async function backfillMemberIndex(client: DynamoDBDocumentClient, tableName: string): Promise<{ memberships: number; workspaces: number }> {
  const memberships = await scanAll(client, tableName, { FilterExpression: 'entity = :entity', ExpressionAttributeValues: { ':entity': 'membership' } });
  await batchWriteAll(
    client,
    tableName,
    memberships.map((item) => ({ PutRequest: { Item: userMembershipToItem(Number(item.workspace_id), Number(item.user_id)) } })),
  );
  const workspaces = [...new Set(memberships.map((item) => Number(item.workspace_id)))];
  for (const workspaceId of workspaces)
    await rebuildOwnersSet(
      client,
      tableName,
      workspaceId,
      memberships.filter((item) => Number(item.workspace_id) === workspaceId),
    );
  return { memberships: memberships.length, workspaces: workspaces.length };
}

/**
 * Makes a workspace's owners set hold exactly its active owners, then marks it complete (the
 * API reads every membership until then). Each id is added or taken out in a transaction that
 * checks the membership still says so: a write racing the rebuild keeps the set itself in its
 * own transaction, so whichever commits last leaves the set right.
 */
export async function rebuildOwnersSet(client: DynamoDBDocumentClient, tableName: string, workspaceId: number, memberships?: Item[]): Promise<void> {
  const members =
    memberships ??
    (await queryAll(client, {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :members)',
      ExpressionAttributeValues: { ':pk': keys.workspace(workspaceId).pk, ':members': 'MEMBER#' },
      ConsistentRead: true,
    }));
  const ownersKey = keys.workspaceOwners(workspaceId);
  const stored = await client.send(new GetCommand({ TableName: tableName, Key: ownersKey, ConsistentRead: true }));
  const inSet = new Set([...((stored.Item?.user_ids as Set<number> | undefined) ?? [])].map(Number));
  const owners = new Set(members.filter(isActiveOwner).map((item) => Number(item.user_id)));
  const changes = [
    ...[...owners].filter((userId) => !inSet.has(userId)).map((userId) => ({ userId, add: true })),
    ...[...inSet].filter((userId) => !owners.has(userId)).map((userId) => ({ userId, add: false })),
  ];
  for (const { userId, add } of changes) {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { ConditionCheck: { TableName: tableName, Key: keys.membership(workspaceId, userId), ...(add ? IS_ACTIVE_OWNER : NOT_ACTIVE_OWNER) } },
              { Update: { TableName: tableName, Key: ownersKey, UpdateExpression: `${add ? 'ADD' : 'DELETE'} user_ids :user`, ExpressionAttributeValues: { ':user': new Set([userId]) } } },
            ],
          }),
        );
        break;
      } catch (error) {
        // Racing a write of this workspace: try again.
        if (isTransactionConflict(error) && attempt < 5) continue;
        // The membership changed since it was read: that write has put the set right itself.
        if (failedConditions(error).length > 0) break;
        throw error;
      }
    }
  }
  await client.send(new UpdateCommand({ TableName: tableName, Key: ownersKey, UpdateExpression: 'SET complete = :complete', ExpressionAttributeValues: { ':complete': true } }));
}
