import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTrackingRepository } from '../../shared/db/tracking-repository.ts';
import { createWebhookLogRepository } from '../../shared/db/webhook-log-repository.ts';
import { createWebhookRepository } from '../../shared/db/webhook-repository.ts';
import { RateLimitedError, ReplayInProgressError } from '../../shared/errors.ts';
import { MAX_REPLAY_MESSAGES, REPLAY_LEASE_SECONDS, type QueuedMessage, type ReplayJob, type StoredMessage, type WebhookQueue } from '../../shared/webhooks/model.ts';
import { replayStep } from '../../shared/webhooks/replay.ts';
import { replayWebhook, sendTestEvent } from '../../shared/webhooks/subscriptions.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';

/**
 * What bounds a webhook's replays and test events, against DynamoDB Local with an injected
 * clock and an in-memory queue: one replay at a time, at most 1,000 messages each (of 1,205
 * logged), its slot freed when it ends or when its lease runs out; one test event a minute.
 * Before these bounds, ten replays of one webhook over 20 messages queued 200 deliveries.
 */
let table: TestTable;
let deps: Parameters<typeof replayWebhook>[2] & { queued: QueuedMessage[] };
const t0 = new Date('2030-03-01T12:00:00Z');
const LOGGED = MAX_REPLAY_MESSAGES + 205;
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
let replays = 0;

beforeAll(async () => {
  table = await createTestTable('webhook-replay-limits');
  await table.seed(testSeed);
  const webhooks = createWebhookRepository(table.client, table.tableName);
  const log = createWebhookLogRepository(table.client, table.tableName);
  await webhooks.create(
    {
      id: 'wh_busy',
      workspaceId: WS,
      url: 'https://hooks.example.com/busy',
      events: ['tracker.started'],
      description: null,
      sealedSecret: 'sealed',
      createdAt: '2030-03-01T00:00:00+00:00',
      status: 'enabled',
      disabledReason: null,
      sealedPreviousSecret: null,
      previousSecretUntil: null,
      createdBy: users.owner,
      failingSince: null,
    },
    10,
  );
  // A busy morning: one message a second, from 10:00 on.
  const messages: StoredMessage[] = Array.from({ length: LOGGED }, (_, index) => ({
    workspaceId: WS,
    subscriptionId: 'wh_busy',
    messageId: `msg_${String(index).padStart(32, '0')}`,
    type: 'tracker.started',
    payload: `{"n":${index}}`,
    occurredAt: new Date(Date.parse('2030-03-01T10:00:00Z') + index * 1000).toISOString(),
  }));
  // Ten writers, each with every tenth message: the log's writes are unordered (its keys order it). One after another:
  // at once they only loaded the run's DynamoDB Local past the SDK's 2-s answer timeout when another test file ran beside this one.
  for (let lane = 0; lane < 10; lane++) {
    await log.recordMessages(
      messages.filter((_, index) => index % 10 === lane),
      t0,
    );
  }
  const queued: QueuedMessage[] = [];
  const queue: WebhookQueue = { send: async (sent) => void queued.push(...sent.map((entry) => entry.message)) };
  deps = { repository: createTrackingRepository(table.client, table.tableName), webhooks, log, queue, now: t0, newReplayId: () => `rpl_${String(++replays).padStart(16, '0')}`, queued };
}, 60_000);
afterAll(() => table.drop());

const replay = (now: Date) => replayWebhook(users.owner, { workspaceId: WS, id: 'wh_busy', since: '2030-03-01T09:00:00Z' }, { ...deps, now });

/** Runs the queued replay's steps to its end, delivering every message at once; the webhook-ids sent, in order. */
async function runReplay(now: Date): Promise<string[]> {
  const sent: string[] = [];
  while (deps.queued.length > 0) {
    const job = deps.queued.shift() as ReplayJob;
    await replayStep(job, {
      log: deps.log,
      queue: deps.queue,
      webhooks: deps.webhooks,
      now: () => now,
      deliver: async (delivery) => (sent.push(delivery.messageId), { result: { outcome: 'delivered', statusCode: 204 } as never, delaySeconds: undefined }),
      hasTimeForAnother: () => true,
    });
  }
  return sent;
}

describe('replays of one webhook', () => {
  it('sends at most 1,000 messages, oldest first, says so in its answer, and runs one at a time', async () => {
    const first = await replay(t0);
    expect(first).toEqual({
      id: 'rpl_0000000000000001',
      since: '2030-03-01T09:00:00+00:00',
      until: new Date(Date.parse('2030-03-01T10:00:00Z') + (MAX_REPLAY_MESSAGES - 1) * 1000).toISOString().replace('.000Z', '+00:00'),
      count: MAX_REPLAY_MESSAGES,
    });
    // A second one while it runs: refused, naming it; nothing queued for it.
    const queuedBefore = deps.queued.length;
    const second = await replay(at(1)).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(ReplayInProgressError);
    expect((second as Error).message).toContain('rpl_0000000000000001');
    expect(deps.queued.length).toBe(queuedBefore);

    const sent = await runReplay(at(2));
    expect(sent).toHaveLength(MAX_REPLAY_MESSAGES);
    expect(sent[0]).toBe(`msg_${'0'.repeat(32)}`);
    expect(sent.at(-1)).toBe(`msg_${String(MAX_REPLAY_MESSAGES - 1).padStart(32, '0')}`);
    // Ended, it freed the slot: the next replay goes on from where the capped one ended.
    const next = await replayWebhook(users.owner, { workspaceId: WS, id: 'wh_busy', since: first.until }, { ...deps, now: at(3) });
    expect(next.count).toBe(LOGGED - MAX_REPLAY_MESSAGES + 1);
    expect(await runReplay(at(4))).toHaveLength(LOGGED - MAX_REPLAY_MESSAGES + 1);
  }, 60_000);

  it('frees the slot of a replay whose steps died once its lease runs out, and that replay then sends nothing more', async () => {
    const stalled = await replay(at(10));
    const orphan = deps.queued.splice(0) as ReplayJob[];
    await expect(replay(at(11))).rejects.toBeInstanceOf(ReplayInProgressError);
    const taken = await replay(at(10 + REPLAY_LEASE_SECONDS + 1));
    expect(taken.id).not.toBe(stalled.id);
    // The stalled replay's step, delivered late, finds the slot another's: it ends without sending.
    const sent: string[] = [];
    const late = await replayStep(orphan[0]!, {
      log: deps.log,
      queue: deps.queue,
      webhooks: deps.webhooks,
      now: () => at(10 + REPLAY_LEASE_SECONDS + 2),
      deliver: async (delivery) => (sent.push(delivery.messageId), { result: { outcome: 'delivered', statusCode: 204 } as never, delaySeconds: undefined }),
      hasTimeForAnother: () => true,
    });
    expect([late, sent]).toEqual([{ sent: 0, ended: true }, []]);
    deps.queued.splice(0);
  }, 30_000);
});

describe('test events of one webhook', () => {
  it('sends one a minute, and says how long to wait', async () => {
    const testDeps = { ...deps, newMessageId: () => `msg_${'t'.repeat(32)}` };
    await sendTestEvent(users.owner, { workspaceId: WS, id: 'wh_busy' }, { ...testDeps, now: at(100) });
    const refused = await sendTestEvent(users.owner, { workspaceId: WS, id: 'wh_busy' }, { ...testDeps, now: at(130) }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBe(30);
    await sendTestEvent(users.owner, { workspaceId: WS, id: 'wh_busy' }, { ...testDeps, now: at(160) });
  });
});
