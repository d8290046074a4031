import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { toApiTimestamp } from '../tracking/api-time.ts';
import type { Invitation, InvitationRepository } from '../tracking/invitations.ts';
import { ROLES, type Role } from '../tracking/model.ts';
import { directoryChangeItem, ownersSetChange, recordToItem } from './directory-repository.ts';
import { failedConditions, isTransactionConflict, translateDynamoError } from './dynamo-errors.ts';
import { userMembershipToItem } from './item-mappers.ts';
import { keys } from './keys.ts';
import { queryAll } from './query-all.ts';

type Item = Record<string, unknown>;

/** How long a decided or expired invitation stays readable after its expiry, before DynamoDB deletes it (TTL). */
const KEPT_AFTER_EXPIRY_SECONDS = 30 * 86_400;

const invitationAttributes = (invitation: Invitation): Item => ({
  invitation_id: invitation.id,
  workspace_id: invitation.workspaceId,
  user_id: invitation.userId,
  role: invitation.role,
  status: invitation.status,
  invited_by: invitation.invitedBy,
  created_at: invitation.createdAt,
  expires_at: invitation.expiresAt,
  decided_at: invitation.decidedAt,
  ttl: Math.floor(Date.parse(invitation.expiresAt) / 1000) + KEPT_AFTER_EXPIRY_SECONDS,
});

/** An item as an invitation; one that is not whole (or not ours) is left out. */
function invitationFromItem(item: Item): Invitation | undefined {
  const status = item.status;
  if (typeof item.invitation_id !== 'string' || (status !== 'pending' && status !== 'accepted' && status !== 'declined') || !(ROLES as readonly unknown[]).includes(item.role)) return undefined;
  return {
    id: item.invitation_id,
    workspaceId: Number(item.workspace_id),
    userId: Number(item.user_id),
    role: item.role as Role,
    status,
    invitedBy: Number(item.invited_by),
    createdAt: String(item.created_at),
    expiresAt: String(item.expires_at),
    decidedAt: typeof item.decided_at === 'string' ? item.decided_at : null,
  };
}

const newestFirst = (a: Invitation, b: Invitation) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

/**
 * Invitations (docs/data-model.md): two copies written together, the workspace's (keyed by
 * the invitee: its list, and the rule of one pending invitation per user) and the invited
 * user's (keyed by the invitation's id: accept, decline and their list read only their own).
 */
export function createInvitationRepository(client: DynamoDBDocumentClient, tableName: string): InvitationRepository {
  /** Both copies move from pending to `status`, if the invitation is still pending and unexpired at `now`. */
  const decided = (invitation: Invitation, status: 'accepted' | 'declined', now: Date) => {
    const values = { ':pending': 'pending', ':decided': status, ':at': toApiTimestamp(now), ':now': toApiTimestamp(now), ':id': invitation.id };
    const update = (key: { pk: string; sk: string }) => ({
      Update: {
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET #status = :decided, decided_at = :at',
        ConditionExpression: '#status = :pending AND expires_at > :now AND invitation_id = :id',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      },
    });
    return [update(keys.userInvitation(invitation.userId, invitation.id)), update(keys.workspaceInvitation(invitation.workspaceId, invitation.userId))];
  };

  return {
    async create(invitation, now) {
      const attributes = invitationAttributes(invitation);
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...keys.workspaceInvitation(invitation.workspaceId, invitation.userId), entity: 'invitation', ...attributes },
                  // One pending invitation per user and workspace: a decided or expired one is replaced.
                  ConditionExpression: 'attribute_not_exists(pk) OR #status <> :pending OR expires_at <= :now',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':pending': 'pending', ':now': toApiTimestamp(now) },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...keys.userInvitation(invitation.userId, invitation.id), entity: 'user_invitation', ...attributes },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              // Not a member by now (the sync job may have made them one since the read).
              { ConditionCheck: { TableName: tableName, Key: keys.membership(invitation.workspaceId, invitation.userId), ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        return 'created';
      } catch (error) {
        const failed = failedConditions(error);
        if (failed.includes(2)) return 'member';
        if (failed.includes(0)) return 'pending';
        return translateDynamoError(error);
      }
    },

    async findForUser(userId, id) {
      const output = await client.send(new GetCommand({ TableName: tableName, Key: keys.userInvitation(userId, id), ConsistentRead: true })).catch(translateDynamoError);
      return output.Item ? invitationFromItem(output.Item) : undefined;
    },

    async listForUser(userId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.userInvitation(userId, '').pk, ':prefix': keys.invitationPrefix },
        ConsistentRead: true,
      });
      return items.flatMap((item) => invitationFromItem(item) ?? []).sort(newestFirst);
    },

    async listForWorkspace(workspaceId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.workspaceInvitation(workspaceId, 0).pk, ':prefix': keys.invitationPrefix },
        ConsistentRead: true,
      });
      return items.flatMap((item) => invitationFromItem(item) ?? []).sort(newestFirst);
    },

    async accept(invitation, member, now) {
      // An invitation may make an owner: the owners set the last-owner rule reads follows.
      const ownersChange = ownersSetChange(tableName, undefined, member);
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              ...decided(invitation, 'accepted', now),
              { Put: { TableName: tableName, Item: recordToItem(member), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: tableName, Item: userMembershipToItem(member.workspaceId, member.id) } },
              ...(ownersChange ? [ownersChange] : []),
              {
                Put: {
                  TableName: tableName,
                  Item: directoryChangeItem(
                    member,
                    member,
                    {
                      at: member.updatedAt!,
                      by: member.id,
                      action: 'put',
                      changes: Object.fromEntries(
                        Object.entries(member.fields)
                          .filter(([, value]) => value !== null)
                          .map(([field, value]) => [field, [null, value]]),
                      ),
                    },
                    { created: true },
                  ),
                },
              },
            ],
          }),
        );
        return 'accepted';
      } catch (error) {
        const failed = failedConditions(error);
        if (failed.includes(0) || failed.includes(1)) return 'not_pending';
        if (failed.includes(2)) return 'member';
        if (isTransactionConflict(error)) return 'not_pending';
        return translateDynamoError(error);
      }
    },

    async decline(invitation, now) {
      try {
        await client.send(new TransactWriteCommand({ TransactItems: decided(invitation, 'declined', now) }));
        return 'declined';
      } catch (error) {
        if (failedConditions(error).length > 0 || isTransactionConflict(error)) return 'not_pending';
        return translateDynamoError(error);
      }
    },
  };
}
