import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/db/keys.ts';
import { hashInput } from '../../shared/http/idempotency.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { countRoundTrips, faults, holdCall, injectFault } from '../support/dynamo-faults.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { loadHandlers, type Handlers } from '../support/handlers.ts';

/** Idempotency-Key on the POST endpoints, against the real DynamoDB Local. */
let table: TestTable;
let api: Handlers;

beforeAll(async () => {
  table = await createTestTable('idempotency');
  await table.seed(testSeed);
  api = await loadHandlers();
});
afterAll(() => table.drop());
beforeEach(() => table.clearTrackingData());

const member = { workspace_id: WS, user_id: users.member };
const withKey = (key: string, caller: number = users.owner) => ({ caller, headers: { 'Idempotency-Key': key } });

/** The record of a first start with this key, still running, its lock ending in `lockSeconds`. */
async function putInProgressRecord(key: string, lockSeconds: number) {
  const now = Math.floor(Date.now() / 1000);
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: { ...keys.idempotency(users.owner, 'POST /time-tracking/start', key), status: 'in_progress', request_hash: hashInput(member), locked_until: now + lockSeconds, ttl: now + 86_400 },
    }),
  );
}

async function stored() {
  const items = await table.scan();
  return {
    trackers: items.filter((item) => item.sk === 'TRACKER'),
    entries: items.filter((item) => String(item.sk).startsWith('ENTRY#')),
    records: items.filter((item) => String(item.pk).startsWith('IDEMPOTENCY#')),
  };
}

describe('Idempotency-Key', () => {
  it('replays the first response of a start (status and body) without starting again', async () => {
    const first = await api.start({ ...member, activity_description: 'once' }, withKey('start-1'));
    expect(first.status).toBe(200);
    const counter = countRoundTrips(api.documentClient);
    let replay;
    try {
      replay = await api.start({ activity_description: 'once', ...member, ignored: true }, withKey('start-1'));
      // The claim finds the stored answer; check 5 runs again before it is replayed.
      expect(counter.calls).toEqual(['PutItemCommand', 'BatchGetItemCommand']);
    } finally {
      counter.remove();
    }
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['x-content-type-options']).toBe('nosniff');
    expect((await stored()).trackers).toHaveLength(1);
    const [record] = (await stored()).records;
    expect(record).toMatchObject({ status: 'completed', response_status: 200 });
    expect((record!.ttl as number) - Date.now() / 1000).toBeGreaterThan(86_000);
  });

  it('replays a 4xx outcome too (the second start of a key keeps its 400)', async () => {
    await api.start(member);
    const refused = await api.start(member, withKey('start-2'));
    expect(refused.status).toBe(400);
    expect((await api.start(member, withKey('start-2'))).body).toEqual(refused.body);
  });

  it('answers 422 when the same key comes with another body', async () => {
    expect((await api.start(member, withKey('start-3'))).status).toBe(200);
    const other = await api.start({ ...member, activity_description: 'different' }, withKey('start-3'));
    expect(other.status).toBe(422);
    expect(other.body.errors).toEqual({ idempotency_key: ['The Idempotency-Key was already used with a different request body.'] });
    expect((await stored()).trackers).toHaveLength(1);
  });

  it('answers 409 while the first request with the key is still running', async () => {
    const key = 'start-4';
    // The record a running first request holds (its lock has not expired).
    await putInProgressRecord(key, 30);
    const response = await api.start(member, withKey(key));
    expect(response.status).toBe(409);
    expect(response.body.error).toBe('idempotency_key_in_use');
    expect((await stored()).trackers).toEqual([]);
  });

  it('answers 409 to a concurrent duplicate and 200 to the first, starting once', async () => {
    // The first request is held inside its read (its key claimed): the duplicate arrives while it runs, whatever the machine's speed.
    const held = holdCall(api.documentClient, 'BatchGetItemCommand');
    try {
      const first = api.start(member, withKey('start-5'));
      await held.reached;
      const duplicate = await api.start(member, withKey('start-5'));
      held.release();
      expect([(await first).status, duplicate.status]).toEqual([200, 409]);
      expect(duplicate.body.error).toBe('idempotency_key_in_use');
    } finally {
      held.release();
      held.remove();
    }
    expect((await stored()).trackers).toHaveLength(1);
  });

  it('lets a retry run again after an attempt crashed and its lock expired', async () => {
    const key = 'start-6';
    await putInProgressRecord(key, -1);
    expect((await api.start(member, withKey(key))).status).toBe(200);
  });

  it('never stores a 5xx: the same key can be retried after a failure', async () => {
    // The key is claimed, then the reads fail: the attempt ends in 503.
    const fault = injectFault(api.documentClient, { command: 'BatchGetItemCommand', error: faults.serviceError });
    let failed;
    try {
      failed = await api.start(member, withKey('start-7'));
    } finally {
      fault.remove();
    }
    expect(failed.status).toBe(503);
    expect((await stored()).records.filter((item) => String(item.sk).endsWith('#start-7'))).toEqual([]);
    const retried = await api.start(member, withKey('start-7'));
    expect(retried.status).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('scopes keys to the caller: another caller with the same key gets its own answer', async () => {
    const mine = await api.start(member, withKey('shared-key', users.owner));
    expect(mine.status).toBe(200);
    const theirs = await api.start({ workspace_id: WS, user_id: users.otherMember }, withKey('shared-key', users.executive));
    expect(theirs.status).toBe(200);
    expect(theirs.body.data.user_id).toBe(users.otherMember);
    const stranger = await api.start(member, withKey('shared-key', users.stranger));
    expect(stranger.status).toBe(403);
    expect(stranger.body.error).toBe('forbidden');
    expect(stranger.headers['idempotent-replayed']).toBeUndefined();
  });

  it('keys start and stop separately, and replays a stop', async () => {
    expect((await api.start(member, withKey('k'))).status).toBe(200);
    const stopped = await api.stop(member, withKey('k'));
    expect(stopped.status).toBe(200);
    const replay = await api.stop(member, withKey('k'));
    expect(replay.body).toEqual(stopped.body);
    expect((await stored()).entries).toHaveLength(1);
  });

  it('rejects a malformed key with 400', async () => {
    const response = await api.start(member, withKey('x'.repeat(256)));
    expect(response.status).toBe(400);
    expect((await stored()).trackers).toEqual([]);
  });
});
