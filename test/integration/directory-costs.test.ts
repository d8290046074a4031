import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { loadHandlers, type Handlers } from '../support/handlers.ts';

/**
 * What a directory write costs against DynamoDB Local: a member PUT is two round trips (the
 * batch read, with the owners set read alongside it, then one transaction) and reads the
 * same few items in a workspace of thousands of members; the start's path stays two round
 * trips with the archived projects read in its batch.
 */
let table: TestTable;
let api: Handlers;

beforeAll(async () => {
  table = await createTestTable('directory-costs');
  await table.seed(testSeed);
  process.env.RATE_LIMIT_PER_MINUTE = '0';
  api = await loadHandlers();
});
afterAll(() => table.drop());

/** Each DynamoDB call with when it was sent and when its answer came. */
function timeCalls() {
  const calls: Array<{ command: string; sent: number; answered: number }> = [];
  const name = `time-${Math.random()}`;
  api.documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      const call = { command: String(context.commandName).replace(/Command$/, ''), sent: performance.now(), answered: Number.NaN };
      calls.push(call);
      try {
        return await next(args);
      } finally {
        call.answered = performance.now();
      }
    },
    { step: 'initialize', name },
  );
  /** Calls in sequence: a call sent while another was in flight shares its round trip. */
  const roundTrips = () => calls.filter((call, index) => !calls.slice(0, index).some((earlier) => earlier.answered > call.sent)).length;
  return { calls, roundTrips, remove: () => api.documentClient.middlewareStack.remove(name) };
}

describe('directory costs', () => {
  it('a member PUT that may demote an owner: the batch read and the owners set together, then one transaction', async () => {
    const timed = timeCalls();
    try {
      // An existing member (an owner makes no new one: invitations do).
      const response = await api.byRoute.putMember({ workspace_id: WS, user_id: users.otherMember, role: 'regular_user', status: 'active', name: 'Renamed' }, { caller: users.owner });
      expect(response.status).toBe(200);
    } finally {
      timed.remove();
    }
    expect(timed.calls.map((call) => call.command).sort()).toEqual(['BatchGetItem', 'GetItem', 'TransactWriteItems']);
    expect(timed.roundTrips()).toBe(2);
  });

  it('the last-owner rule reads the owners, not the members: a workspace of 3,000 members costs a member PUT and a removal the same few items', async () => {
    const BIG = 5;
    await table.seed({ workspaces: [{ id: BIG, name: 'Big' }], members: [500, 501, 502].map((user_id) => ({ workspace_id: BIG, user_id, role: 'owner' as const, status: 'active' as const })) });
    await table.put(
      Array.from({ length: 3000 }, (_, index) => ({
        pk: `WS#${BIG}`,
        sk: `MEMBER#${10_000 + index}`,
        entity: 'membership',
        workspace_id: BIG,
        user_id: 10_000 + index,
        role: 'regular_user',
        status: 'active',
        name: 'A member with a name long enough to weigh something',
      })),
    );
    const itemsRead: number[] = [];
    const name = 'countItemsRead';
    api.documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const output = result.output as { ScannedCount?: number; Item?: unknown; Responses?: Record<string, unknown[]> };
        if (context.commandName === 'QueryCommand') itemsRead.push(output.ScannedCount ?? 0);
        if (context.commandName === 'GetItemCommand') itemsRead.push(output.Item ? 1 : 0);
        if (context.commandName === 'BatchGetItemCommand') itemsRead.push(Object.values(output.Responses ?? {}).flat().length);
        return result;
      },
      { step: 'initialize', name },
    );
    try {
      const demoted = await api.byRoute.putMember({ workspace_id: BIG, user_id: 501, role: 'regular_user', status: 'active' }, { caller: 500 });
      expect(demoted.status).toBe(200);
      const removed = await api.byRoute.deleteMember({ workspace_id: BIG, user_id: 502 }, { caller: 500 });
      expect(removed.status).toBe(200);
      const lastOwner = await api.byRoute.putMember({ workspace_id: BIG, user_id: 500, role: 'regular_user', status: 'active' }, { caller: 500 });
      expect([lastOwner.status, lastOwner.body.errors]).toEqual([422, { role: ['The last active owner of a workspace cannot be demoted or deactivated.'] }]);
    } finally {
      api.documentClient.middlewareStack.remove(name);
    }
    // Each request: its batch (the record, the caller, the workspace) and the owners set.
    expect(Math.max(...itemsRead)).toBeLessThanOrEqual(3);
    expect(itemsRead.reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(15);
  }, 90_000);

  it("making an API key costs two round trips: the membership check and the read of the user's keys together, then the transaction", async () => {
    const timed = timeCalls();
    try {
      const made = await api.byRoute.createApiKey({ name: 'laptop', scopes: ['read'] }, { caller: users.member });
      expect(made.status).toBe(201);
    } finally {
      timed.remove();
    }
    expect(timed.calls.map((call) => call.command).sort()).toEqual(['Query', 'Query', 'TransactWriteItems']);
    expect(timed.roundTrips()).toBe(2);
  });

  it('a start with a contract still costs two round trips (the archived projects come in its batch)', async () => {
    const timed = timeCalls();
    try {
      expect((await api.start({ workspace_id: WS, user_id: users.member, contract_id: 20 }, { caller: users.owner })).status).toBe(200);
    } finally {
      timed.remove();
    }
    expect(timed.calls.map((call) => call.command)).toEqual(['BatchGetItem', 'TransactWriteItems']);
  });
});
