import { randomUUID } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { routes } from '../shared/contracts/routes.ts';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { createRateLimitCounter } from '../shared/db/rate-limit-counter.ts';
import { trackerToItem } from '../shared/db/item-mappers.ts';
import { keys } from '../shared/db/keys.ts';
import { toApiTimestamp } from '../shared/tracking/api-time.ts';
import { startSlots } from '../shared/tracking/start-time-tracking.ts';
import { countRoundTrips } from '../test/support/dynamo-faults.ts';
import { httpEvent, lambdaContext, principalContext } from '../test/support/http-events.ts';
import { median, percentile, round } from './stats.ts';

/**
 * The full start handler (every middleware, validation, rules, envelope) against a bare
 * handler that makes the same two DynamoDB calls with nothing around them (the batch read
 * with the timeline slots, the transaction with the tracker's mark and their ConditionChecks), interleaved in one
 * run so that both see the same machine and the same DynamoDB Local.
 */
export async function measureStartOverhead(options: { tableName: string; endpoint: string; workspaceId: number; managerId: number; users: number[]; iterations: number }) {
  // Imported here, after run.ts has set the environment the modules read at load.
  const { handler, spec } = await import('../functions/start-time-tracking/handler.ts');
  const { createHttpHandler } = await import('../shared/http/create-http-handler.ts');
  const { documentClient } = await import('../shared/db/default-repositories.ts');
  // The same handler with the per-user rate limit on (a limit the bench never reaches).
  const limitedHandler = createHttpHandler(routes.startTimeTracking, {
    ...spec,
    adapters: { ...spec.adapters, rateLimiter: createRateLimitCounter(documentClient, options.tableName, { perWindow: 1_000_000, windowSeconds: 60 }) },
  });
  const bareClient = createDocumentClient({ tableName: options.tableName, region: process.env.AWS_REGION ?? 'us-east-1', endpoint: options.endpoint });
  const reset = async (userId: number) => {
    await bareClient.send(new DeleteCommand({ TableName: options.tableName, Key: keys.activeTracker(userId) }));
    await bareClient.send(new DeleteCommand({ TableName: options.tableName, Key: keys.workspaceActiveTracker(options.workspaceId, userId) }));
  };

  const fullUser = options.users[0]!;
  const bareUser = options.users[1]!;
  const limitedUser = options.users[2]!;
  const bareLimitedUser = options.users[3]!;
  const timedStart = (startHandler: typeof handler, userId: number) => async () => {
    const event = httpEvent({
      path: '/time-tracking/start',
      body: { workspace_id: options.workspaceId, user_id: userId, activity_description: 'bench' },
      authorizer: principalContext(options.managerId),
    });
    const context = lambdaContext();
    const started = performance.now();
    const result = await startHandler(event, context);
    const elapsed = performance.now() - started;
    if ((result as { statusCode: number }).statusCode !== 200) throw new Error(`start answered ${JSON.stringify(result)}`);
    return elapsed;
  };
  const runFull = timedStart(handler, fullUser);
  const runLimited = timedStart(limitedHandler, limitedUser);
  /** The timeline slots a start checks now (the same function the use case calls). */
  const slotsNow = () => {
    const from = Math.floor(Date.now() / 1000);
    return startSlots(from);
  };
  const bareRead = (userId: number, slots: string[]) =>
    bareClient.send(
      new BatchGetCommand({
        RequestItems: {
          [options.tableName]: {
            Keys: [
              keys.membership(options.workspaceId, options.managerId),
              keys.membership(options.workspaceId, userId),
              keys.workspaceSettings(options.workspaceId),
              ...slots.map((slot) => keys.timelineSlot(options.workspaceId, userId, slot)),
            ],
            ConsistentRead: true,
          },
        },
      }),
    );
  const bareCounter = (userId: number) =>
    bareClient.send(
      new UpdateCommand({
        TableName: options.tableName,
        Key: keys.rateLimitWindow(userId, Math.floor(Date.now() / 60_000) * 60),
        UpdateExpression: 'ADD request_count :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
  const bareStart = (userId: number, withCounter: boolean) => async () => {
    const started = performance.now();
    const slots = slotsNow();
    await (withCounter ? Promise.all([bareRead(userId, slots), bareCounter(userId)]) : bareRead(userId, slots));
    // The very transaction the full handler writes (the tracker, and the slots it read unchanged), so that only what surrounds the calls differs.
    await bareClient.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: options.tableName,
              Item: trackerToItem({
                trackerId: randomUUID(),
                workspaceId: options.workspaceId,
                userId,
                contractId: null,
                projectId: null,
                taskId: null,
                activityDescription: 'bench',
                startTime: toApiTimestamp(new Date()),
                startedBy: options.managerId,
                taskTitle: null,
                requestId: randomUUID(),
                autoStopAt: null,
              }),
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          { Put: { TableName: options.tableName, Item: { ...keys.workspaceActiveTracker(options.workspaceId, userId), entity: 'active_mark', user_id: userId, workspace_id: options.workspaceId } } },
          ...slots.map((slot) => ({ ConditionCheck: { TableName: options.tableName, Key: keys.timelineSlot(options.workspaceId, userId, slot), ConditionExpression: 'attribute_not_exists(pk)' } })),
        ],
      }),
    );
    return performance.now() - started;
  };
  const runBare = bareStart(bareUser, false);
  /** The floor of the rate limit on this DynamoDB: the same calls, the counter alongside the read, no code around. */
  const runBareLimited = bareStart(bareLimitedUser, true);

  const counter = countRoundTrips(documentClient);
  await runFull();
  const roundTrips = counter.calls.length;
  counter.remove();
  await reset(fullUser);

  const variants = [runFull, runBare, runLimited, runBareLimited];
  const samples = new Map<() => Promise<number>, number[]>(variants.map((run) => [run, []]));
  const rotations = variants.map((_, shift) => [...variants.slice(shift), ...variants.slice(0, shift)]);
  const warmup = Math.ceil(options.iterations / 10);
  for (let i = 0; i < warmup + options.iterations; i++) {
    // Rotate which goes first, so that none always follows another's reset.
    for (const run of rotations[i % rotations.length]!) {
      const elapsed = await run();
      if (i >= warmup) samples.get(run)!.push(elapsed);
    }
    await Promise.all([fullUser, bareUser, limitedUser, bareLimitedUser].map(reset));
  }
  const full = samples.get(runFull)!;
  const bare = samples.get(runBare)!;
  const limited = samples.get(runLimited)!;
  const bareLimited = samples.get(runBareLimited)!;
  bareClient.destroy();
  return {
    ddb_round_trips: roundTrips,
    iterations: options.iterations,
    p50_ms: round(median(full)),
    p99_ms: round(percentile(full, 99)),
    baseline_p50_ms: round(median(bare)),
    baseline_p99_ms: round(percentile(bare, 99)),
    warm_overhead_ratio: round(median(full) / median(bare), 3),
    ratelimit: {
      p50_ms: round(median(limited)),
      p99_ms: round(percentile(limited, 99)),
      /** The start with the per-user limit on vs off, same run: the counter runs alongside the first read. */
      start_p50_ratio: round(median(limited) / median(full), 3),
      /** The same for the bare calls: what two concurrent calls cost on this DynamoDB, without our code. */
      floor_p50_ratio: round(median(bareLimited) / median(bare), 3),
    },
  };
}
