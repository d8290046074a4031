import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TimeRequest } from '../tracking/model.ts';
import type { TimeRequestRepository } from '../tracking/time-requests.ts';
import { nextDate } from '../tracking/time-zones.ts';
import { failedConditions, translateDynamoError } from './dynamo-errors.ts';
import { dayLocksAttribute, nullableNumber, nullableString } from './item-mappers.ts';
import { keys } from './keys.ts';
import { queryAll } from './query-all.ts';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const attributesOf = (request: TimeRequest): Item => ({
  request_id: request.id,
  workspace_id: request.workspaceId,
  user_id: request.userId,
  start_time: request.startTime,
  end_time: request.endTime,
  duration_seconds: request.durationSeconds,
  contract_id: request.contractId,
  project_id: request.projectId,
  task_id: request.taskId,
  note: request.note,
  status: request.status,
  revision: request.revision,
  created_at: request.createdAt,
  decided_at: request.decidedAt,
  decided_by: request.decidedBy,
  comment: request.comment,
  time_entry_id: request.timeEntryId,
});

export function timeRequestFromItem(item: Item): TimeRequest {
  return {
    id: String(item.request_id),
    workspaceId: Number(item.workspace_id),
    userId: Number(item.user_id),
    startTime: String(item.start_time),
    endTime: String(item.end_time),
    durationSeconds: Number(item.duration_seconds),
    contractId: nullableNumber(item.contract_id),
    projectId: nullableNumber(item.project_id),
    taskId: nullableNumber(item.task_id),
    note: nullableString(item.note),
    status: item.status as TimeRequest['status'],
    revision: Number(item.revision),
    createdAt: String(item.created_at),
    decidedAt: nullableString(item.decided_at),
    decidedBy: nullableNumber(item.decided_by),
    comment: nullableString(item.comment),
    timeEntryId: nullableString(item.time_entry_id),
  };
}

/**
 * A request's two copies, written together (docs/data-model.md): by id (`time_request`: what
 * the decisions read, and what its webhook events come from) and listed by start. A new one is
 * put only if absent; a change only if the by-id copy is still at the revision read.
 */
export function timeRequestWrites(tableName: string, request: TimeRequest, seenRevision: number | undefined): TransactItem[] {
  const condition =
    seenRevision === undefined ? { ConditionExpression: 'attribute_not_exists(pk)' } : { ConditionExpression: 'revision = :seen', ExpressionAttributeValues: { ':seen': seenRevision } };
  return [
    { Put: { TableName: tableName, Item: { ...keys.timeRequest(request.workspaceId, request.id), entity: 'time_request', ...attributesOf(request) }, ...condition } },
    { Put: { TableName: tableName, Item: { ...keys.listedTimeRequest(request.workspaceId, request.startTime, request.id), entity: 'time_request_listed', ...attributesOf(request) } } },
  ];
}

export function createTimeRequestRepository(client: DynamoDBDocumentClient, tableName: string): TimeRequestRepository {
  return {
    async get(workspaceId, id) {
      const answer = await client.send(new GetCommand({ TableName: tableName, Key: keys.timeRequest(workspaceId, id), ConsistentRead: true })).catch(translateDynamoError);
      return answer.Item ? timeRequestFromItem(answer.Item) : undefined;
    },

    async dayLocked(workspaceId, userId, day) {
      const answer = await client
        .send(
          new GetCommand({
            TableName: tableName,
            Key: keys.timesheetMonth(workspaceId, day.slice(0, 7), userId),
            ProjectionExpression: '#lock',
            ExpressionAttributeNames: { '#lock': dayLocksAttribute(day) },
            ConsistentRead: true,
          }),
        )
        .catch(translateDynamoError);
      return Number(answer.Item?.[dayLocksAttribute(day)] ?? 0) > 0;
    },

    async list(workspaceId, { from, to }) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': keys.timeRequestsPk(workspaceId), ':from': from, ':to': nextDate(to) },
        ConsistentRead: true,
      });
      return items.map(timeRequestFromItem);
    },

    async put(request, seenRevision) {
      try {
        await client.send(new TransactWriteCommand({ TransactItems: timeRequestWrites(tableName, request, seenRevision) }));
        return 'written';
      } catch (error) {
        if (failedConditions(error).length > 0) return 'conflict';
        return translateDynamoError(error);
      }
    },
  };
}
