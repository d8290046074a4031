import { randomUUID } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { trackerToItem } from '../shared/db/item-mappers.ts';
import { keys } from '../shared/db/keys.ts';
import { toApiTimestamp } from '../shared/tracking/api-time.ts';
import { countRoundTrips } from '../test/support/dynamo-faults.ts';
import { httpEvent, lambdaContext, principalContext } from '../test/support/http-events.ts';
import { median, percentile, round } from './stats.ts';

/**
 * The full start handler (every middleware, validation, rules, envelope) against a bare
 * handler that makes the same two DynamoDB calls with nothing around them, interleaved in
 * one run so that both see the same machine and the same DynamoDB Local.
 */
export async function measureStartOverhead(options: { tableName: string; endpoint: string; workspaceId: number; managerId: number; users: number[]; iterations: number }) {
  const { handler } = await import('../functions/start-time-tracking/handler.ts');
  const { documentClient } = await import('../shared/db/default-repositories.ts');
  const bareClient = createDocumentClient({ tableName: options.tableName, region: process.env.AWS_REGION ?? 'us-east-1', endpoint: options.endpoint });
  const reset = async (userId: number) => {
    await bareClient.send(new DeleteCommand({ TableName: options.tableName, Key: keys.activeTracker(userId) }));
  };

  const fullUser = options.users[0]!;
  const bareUser = options.users[1]!;
  const runFull = async () => {
    const event = httpEvent({ path: '/time-tracking/start', body: { workspace_id: options.workspaceId, user_id: fullUser, activity_description: 'bench' }, authorizer: principalContext(options.managerId) });
    const context = lambdaContext();
    const started = performance.now();
    const result = await handler(event, context);
    const elapsed = performance.now() - started;
    if ((result as { statusCode: number }).statusCode !== 200) throw new Error(`full start answered ${JSON.stringify(result)}`);
    return elapsed;
  };
  const runBare = async () => {
    const started = performance.now();
    await bareClient.send(
      new BatchGetCommand({
        RequestItems: {
          [options.tableName]: { Keys: [keys.membership(options.workspaceId, options.managerId), keys.membership(options.workspaceId, bareUser)], ConsistentRead: true },
        },
      }),
    );
    await bareClient.send(
      new PutCommand({
        TableName: options.tableName,
        // The very item the full handler writes, so that only what surrounds the calls differs.
        Item: trackerToItem({
          trackerId: randomUUID(),
          workspaceId: options.workspaceId,
          userId: bareUser,
          contractId: null,
          projectId: null,
          taskId: null,
          activityDescription: 'bench',
          startTime: toApiTimestamp(new Date()),
          startedBy: options.managerId,
          requestId: randomUUID(),
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return performance.now() - started;
  };

  const counter = countRoundTrips(documentClient);
  await runFull();
  const roundTrips = counter.calls.length;
  counter.remove();
  await reset(fullUser);

  const full: number[] = [];
  const bare: number[] = [];
  const warmup = Math.ceil(options.iterations / 10);
  for (let i = 0; i < warmup + options.iterations; i++) {
    // Alternate which goes first, so that neither always follows the other's reset.
    const order = i % 2 === 0 ? [runFull, runBare] : [runBare, runFull];
    for (const run of order) {
      const elapsed = await run();
      if (i >= warmup) (run === runFull ? full : bare).push(elapsed);
    }
    await reset(fullUser);
    await reset(bareUser);
  }
  bareClient.destroy();
  return {
    ddb_round_trips: roundTrips,
    iterations: options.iterations,
    p50_ms: round(median(full)),
    p99_ms: round(percentile(full, 99)),
    baseline_p50_ms: round(median(bare)),
    baseline_p99_ms: round(percentile(bare, 99)),
    warm_overhead_ratio: round(median(full) / median(bare), 3),
  };
}
