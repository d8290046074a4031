import { randomUUID } from 'node:crypto';
import { BatchGetItemCommand, DynamoDBClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { seedToItems } from '../admin/seed.ts';
import { batchWriteAll } from '../shared/db/batch-write.ts';
import { reportEntryAttribute, reportEntryValue, timeEntryByIdToItem, timeEntryToItem } from '../shared/db/item-mappers.ts';
import { keys } from '../shared/db/keys.ts';
import type { TimeEntry } from '../shared/tracking/model.ts';
import { lambdaContext, lambdaEvent } from './lambda-events.ts';
import { median, percentile, round } from './stats.ts';

/**
 * What a workspace report costs as the workspace grows (docs/reports.md "What a report
 * reads"), through the working tree's own warm handlers on DynamoDB Local: a month's
 * `summary?group_by=user,project` of workspaces of 10, 100 and 1,000 active members (2
 * entries per member per working day), interleaved round by round with one member's 31-day
 * `/time-entries/summary`; p50, DynamoDB round trips and items read at each size.
 *
 * The big workspaces are seeded with BatchWriteItem (what the entry writes store: both
 * copies of each entry and the members' report months; their timelines are left out, as no
 * report reads them), so that seeding 42,000 entries takes a minute or two, not an hour. The
 * member of the one-member figure gets their entries through the create handler itself.
 * Each size is paired with DynamoDB Local's own floor: the same reads through a bare client.
 */
type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number; body?: string }>;

const MONTH = '2026-11';
/** November 2026's working days (Monday to Friday): 21. */
const WORKING_DAYS = Array.from({ length: 30 }, (_, index) => `${MONTH}-${String(index + 1).padStart(2, '0')}`).filter((date) => ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay()));

export async function measureReportCosts(options: { client: DynamoDBDocumentClient; tableName: string; sizes: readonly number[]; rounds: number; log: (line: string) => void }) {
  const load = async (name: string) => (await import(`../functions/${name}/handler.ts`)).handler as Handler;
  const [summary, memberSummary, create] = (await Promise.all(['summary-report', 'time-entry-summary', 'create-time-entry'].map(load))) as [Handler, Handler, Handler];
  const { documentClient } = await import('../shared/db/default-repositories.ts');
  const counter = { calls: 0, items: 0 };
  documentClient.middlewareStack.add(
    (next) => async (args) => {
      counter.calls++;
      const result = await next(args);
      const output = (result.output ?? {}) as { Count?: number; Responses?: Record<string, unknown[]> };
      counter.items += output.Count ?? Object.values(output.Responses ?? {}).reduce((sum, items) => sum + items.length, 0);
      return result;
    },
    { step: 'initialize', name: 'benchReadCounter' },
  );

  const owner = 1;
  const workspaces = options.sizes.map((size, index) => ({ size, workspaceId: 100 + index }));
  const seedingStarted = performance.now();
  for (const { size, workspaceId } of workspaces) {
    const began = performance.now();
    await seedWorkspace(options.client, options.tableName, workspaceId, size, owner);
    options.log(`  seeded ${size} members × ${WORKING_DAYS.length * 2} entries in ${round((performance.now() - began) / 1000)} s`);
  }
  // One member's month through the create handler, in a workspace of its own (its timeline, as the API keeps it).
  const memberWorkspace = 99;
  const memberId = 9_000;
  const memberSeed = seedToItems({
    workspaces: [{ id: memberWorkspace, name: 'One member' }],
    members: [
      { workspace_id: memberWorkspace, user_id: owner, role: 'owner' },
      { workspace_id: memberWorkspace, user_id: memberId, role: 'regular_user' },
    ],
  });
  await batchWriteAll(
    options.client,
    options.tableName,
    memberSeed.map((Item) => ({ PutRequest: { Item } })),
  );
  for (const date of WORKING_DAYS) {
    for (const [from, to] of [
      ['09:00', '12:00'],
      ['13:00', '17:00'],
    ]) {
      const answer = await create(
        lambdaEvent('POST', '/time-entries', owner, { body: { workspace_id: memberWorkspace, user_id: memberId, start_time: `${date}T${from}:00Z`, end_time: `${date}T${to}:00Z` } }),
        lambdaContext(),
      );
      if (answer.statusCode !== 201) throw new Error(`seeding the member: ${answer.statusCode} ${answer.body}`);
    }
  }
  const seedingSeconds = round((performance.now() - seedingStarted) / 1000);

  const timed = async (run: () => Promise<{ statusCode?: number; body?: string }>) => {
    counter.calls = 0;
    counter.items = 0;
    const began = performance.now();
    const answer = await run();
    const ms = performance.now() - began;
    if (answer.statusCode !== 200) throw new Error(`${answer.statusCode} ${answer.body?.slice(0, 300)}`);
    return { ms, calls: counter.calls, items: counter.items, body: answer.body! };
  };
  const summaryOf = (workspaceId: number) => () =>
    summary(
      lambdaEvent('GET', '/reports/summary', owner, { query: { workspace_id: String(workspaceId), from: `${MONTH}-01`, to: `${MONTH}-30`, group_by: 'user,project', tz: 'UTC' } }),
      lambdaContext(),
    );
  const memberMonth = () =>
    memberSummary(
      lambdaEvent('GET', '/time-entries/summary', owner, { query: { workspace_id: String(memberWorkspace), user_id: String(memberId), from: `${MONTH}-01`, to: `${MONTH}-30`, tz: 'UTC' } }),
      lambdaContext(),
    );

  // Each answer checked once: every member, every entry.
  for (const { size, workspaceId } of workspaces) {
    const { body } = await timed(summaryOf(workspaceId));
    const totals = JSON.parse(body).data.totals;
    if (totals.entries !== size * WORKING_DAYS.length * 2) throw new Error(`the ${size}-member summary counted ${totals.entries} entries`);
  }

  // DynamoDB Local's own share: the same reads (the month's pages, the contracts, the check-5 batch) through a bare client, nothing unmarshalled or computed.
  const bare = new DynamoDBClient({ region: 'us-east-1', endpoint: process.env.DYNAMODB_ENDPOINT!, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const floorOf = (workspaceId: number) => async () => {
    const began = performance.now();
    const queryAllPages = async (input: QueryCommandInput) => {
      let ExclusiveStartKey: QueryCommandInput['ExclusiveStartKey'];
      do ExclusiveStartKey = (await bare.send(new QueryCommand({ ...input, ExclusiveStartKey }))).LastEvaluatedKey;
      while (ExclusiveStartKey);
    };
    await bare.send(
      new BatchGetItemCommand({
        RequestItems: {
          [options.tableName]: { Keys: [keys.membership(workspaceId, owner), keys.workspaceSettings(workspaceId)].map((key) => ({ pk: { S: key.pk }, sk: { S: key.sk } })), ConsistentRead: true },
        },
      }),
    );
    await Promise.all([
      queryAllPages({
        TableName: options.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :contracts)',
        ExpressionAttributeValues: { ':pk': { S: keys.workspace(workspaceId).pk }, ':contracts': { S: 'CONTRACT#' } },
        ProjectionExpression: 'contract_id, billable, rate_history',
        ConsistentRead: true,
      }),
      queryAllPages({ TableName: options.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: keys.reportMonthPk(workspaceId, MONTH) } }, ConsistentRead: true }),
    ]);
    return { statusCode: 200, body: String(performance.now() - began) };
  };

  const samples = new Map<string, Array<{ ms: number; calls: number; items: number }>>();
  const record = (name: string, sample: { ms: number; calls: number; items: number }) => samples.set(name, [...(samples.get(name) ?? []), sample]);
  for (let round_ = 0; round_ < options.rounds; round_++) {
    const order: Array<[string, () => Promise<{ statusCode?: number; body?: string }>]> = [
      ['member', memberMonth],
      ...workspaces.flatMap(({ size, workspaceId }) => [[`${size}`, summaryOf(workspaceId)] as [string, typeof memberMonth], [`floor ${size}`, floorOf(workspaceId)] as [string, typeof memberMonth]]),
    ];
    for (const [name, run] of round_ % 2 === 0 ? order : [...order].reverse()) record(name, await timed(run));
  }
  const figure = (name: string) => {
    const list = samples.get(name)!;
    return {
      p50_ms: round(median(list.map((one) => one.ms))),
      p99_ms: round(
        percentile(
          list.map((one) => one.ms),
          99,
        ),
      ),
      round_trips: list[0]!.calls,
      items_read: list[0]!.items,
    };
  };
  bare.destroy();
  const bySize = Object.fromEntries(
    options.sizes.map((size) => {
      const own = figure(String(size));
      const floor = figure(`floor ${size}`).p50_ms;
      return [size, { ...own, dynamodb_local_floor_p50_ms: floor, our_share_p50_ms: round(own.p50_ms - floor) }];
    }),
  );
  const smallest = bySize[options.sizes[0]!]!;
  const largest = bySize[options.sizes.at(-1)!]!;
  return {
    samples_per_figure: options.rounds,
    entries_per_member: WORKING_DAYS.length * 2,
    seeding_seconds: seedingSeconds,
    summary_by_members: bySize,
    member_31_day_summary: figure('member'),
    largest_vs_smallest_p50: round(largest.p50_ms / smallest.p50_ms, 3),
    // Below a millisecond, our share of the smallest workspace is noise: no ratio to it.
    largest_vs_smallest_our_share_p50: smallest.our_share_p50_ms >= 1 ? round(largest.our_share_p50_ms / smallest.our_share_p50_ms, 3) : null,
    largest_vs_smallest_floor_p50: round(largest.dynamodb_local_floor_p50_ms / smallest.dynamodb_local_floor_p50_ms, 3),
    hundred_vs_member_month_p50: bySize[100] ? round(bySize[100].p50_ms / figure('member').p50_ms, 3) : undefined,
    hundred_floor_vs_member_month_p50: bySize[100] ? round(bySize[100].dynamodb_local_floor_p50_ms / figure('member').p50_ms, 3) : undefined,
    largest_p50_ms: largest.p50_ms,
  };
}

/** A workspace of `size` active members, a contract each (5 projects, rates in EUR), 2 entries per working day: written as the entry writes store them. */
async function seedWorkspace(client: DynamoDBDocumentClient, tableName: string, workspaceId: number, size: number, owner: number) {
  const members = Array.from({ length: size }, (_, index) => 10_000 + index);
  const items: Record<string, unknown>[] = seedToItems({
    workspaces: [{ id: workspaceId, name: `Bench ${size}` }],
    members: [{ workspace_id: workspaceId, user_id: owner, role: 'owner' }, ...members.map((user_id) => ({ workspace_id: workspaceId, user_id, role: 'regular_user' }))],
    projects: Array.from({ length: 5 }, (_, index) => ({ workspace_id: workspaceId, id: index + 1, name: `Project ${index + 1}` })),
    contracts: members.map((user_id, index) => ({ workspace_id: workspaceId, id: user_id, user_id, project_id: (index % 5) + 1, hourly_rate: { amount: 4000 + (index % 7) * 500, currency: 'EUR' } })),
  });
  for (const userId of members) {
    const month: Record<string, unknown> = { ...keys.reportMonth(workspaceId, MONTH, userId), entity: 'report_month', workspace_id: workspaceId, user_id: userId };
    for (const date of WORKING_DAYS) {
      for (const [from, to] of [
        ['09:00', '12:00'],
        ['13:00', '17:30'],
      ]) {
        const entry = benchEntry(workspaceId, userId, `${date}T${from}:00+00:00`, `${date}T${to}:00+00:00`, (members.indexOf(userId) % 5) + 1, owner);
        items.push(timeEntryToItem(entry), timeEntryByIdToItem(entry));
        month[reportEntryAttribute(entry.entryId)] = reportEntryValue(entry);
      }
    }
    items.push(month);
  }
  // Four writers at a time: DynamoDB Local takes batches faster side by side than one after the other.
  const requests = items.map((Item) => ({ PutRequest: { Item } }));
  const quarter = Math.ceil(requests.length / 4 / 25) * 25;
  await Promise.all([0, 1, 2, 3].map((part) => batchWriteAll(client, tableName, requests.slice(part * quarter, (part + 1) * quarter), { unprocessedRetries: 10 })));
}

/** An entry as the bench seeds it: its member's contract (whose id is the member's), made and last changed by `owner` when it ended. */
export function benchEntry(workspaceId: number, userId: number, startTime: string, endTime: string, projectId: number, owner: number, activityDescription: string | null = null): TimeEntry {
  return {
    entryId: randomUUID(),
    workspaceId,
    userId,
    contractId: userId,
    projectId,
    taskId: null,
    activityDescription,
    startTime,
    endTime,
    durationSeconds: (Date.parse(endTime) - Date.parse(startTime)) / 1000,
    source: 'manual',
    stopReason: null,
    stoppedBy: null,
    createdBy: owner,
    createdAt: endTime,
    updatedBy: owner,
    updatedAt: endTime,
    version: 1,
  };
}
