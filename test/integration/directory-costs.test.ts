import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { loadHandlers, type Handlers } from '../support/handlers.ts';

/**
 * What a directory write costs against DynamoDB Local: a member PUT is two round trips (the
 * batch read, with the owners' Query alongside it, then one transaction), and the start's
 * path stays two round trips with the archived projects read in its batch.
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
  it('a member PUT that may demote an owner: the batch read and the owners Query together, then one transaction', async () => {
    const timed = timeCalls();
    try {
      // An existing member (an owner makes no new one: invitations do).
      const response = await api.byRoute.putMember({ workspace_id: WS, user_id: users.otherMember, role: 'regular_user', status: 'active', name: 'Renamed' }, { caller: users.owner });
      expect(response.status).toBe(200);
    } finally {
      timed.remove();
    }
    expect(timed.calls.map((call) => call.command).sort()).toEqual(['BatchGetItem', 'Query', 'TransactWriteItems']);
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
