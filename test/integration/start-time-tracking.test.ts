import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { keys } from '../../shared/db/keys.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { countRoundTrips, faults, injectFault } from '../support/dynamo-faults.ts';
import { OTHER_WS, testSeed, UNKNOWN_WS, users, WS } from '../support/fixtures.ts';
import { httpEvent, lambdaContext, parse, principalContext } from '../support/http-events.ts';

/**
 * POST /time-tracking/start through the whole middy stack against the real DynamoDB Local:
 * every row of the check table of docs/contract.md, with what is stored afterwards.
 */
let table: TestTable;
let handler: typeof import('../../functions/start-time-tracking/handler.ts')['handler'];
let documentClient: typeof import('../../shared/db/default-repositories.ts')['documentClient'];

beforeAll(async () => {
  table = await createTestTable('start');
  await table.seed(testSeed);
  ({ handler } = await import('../../functions/start-time-tracking/handler.ts'));
  ({ documentClient } = await import('../../shared/db/default-repositories.ts'));
});
afterAll(() => table.drop());
beforeEach(() => table.clearTrackingData());

const API_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

async function start(body: unknown, options: { caller?: number; authorizer?: Parameters<typeof httpEvent>[0]['authorizer']; rawBody?: string; requestId?: string } = {}) {
  const event = httpEvent({
    path: '/time-tracking/start',
    body,
    rawBody: options.rawBody,
    requestId: options.requestId,
    authorizer: options.authorizer === undefined ? principalContext(options.caller ?? users.owner) : options.authorizer,
  });
  return parse(await handler(event, lambdaContext()));
}

async function trackers() {
  return (await table.scan()).filter((item) => item.sk === 'TRACKER');
}

function expectEnvelope(response: { body: any; headers: Record<string, string> }, success: boolean) {
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.body.success).toBe(success);
  expect(response.body.meta).toEqual({ api_version: '2.0.0', timestamp: expect.stringMatching(API_TIMESTAMP) });
}

async function expectNothingStored() {
  expect(await trackers()).toEqual([]);
}

describe('success', () => {
  it('starts a tracker for a member and stores exactly what it answers', async () => {
    const before = Date.now();
    const response = await start({
      workspace_id: WS,
      user_id: users.member,
      contract_id: 20,
      task_id: 5,
      activity_description: '  Writing the landing page  ',
      unknown_field: 'ignored',
    });
    expect(response.status).toBe(200);
    expectEnvelope(response, true);
    expect(response.body.message).toBe('Time tracking started successfully');
    expect(response.body.data).toEqual({
      message: 'Time tracking started successfully',
      auto_stop_at: null,
      start_time: expect.stringMatching(API_TIMESTAMP),
      workspace_id: WS,
      user_id: users.member,
      contract_id: 20,
      project_id: 10,
      task_id: 5,
      activity_description: 'Writing the landing page',
    });
    const started = Date.parse(response.body.data.start_time);
    expect(started).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(started).toBeLessThanOrEqual(Date.now());

    const stored = await table.get(keys.activeTracker(users.member));
    expect(stored).toMatchObject({
      workspace_id: WS,
      user_id: users.member,
      contract_id: 20,
      project_id: 10,
      task_id: 5,
      activity_description: 'Writing the landing page',
      start_time: response.body.data.start_time,
      started_by: users.owner,
    });
    expect(stored).not.toHaveProperty('unknown_field');
    expect(await trackers()).toHaveLength(1);
  });

  it('lets an executive manager start a tracker without a contract; an empty description is null', async () => {
    const response = await start({ workspace_id: WS, user_id: users.otherMember, activity_description: '   ' }, { caller: users.executive });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ contract_id: null, project_id: null, task_id: null, activity_description: null });
    expect(await table.get(keys.activeTracker(users.otherMember))).toMatchObject({ activity_description: null, contract_id: null });
  });

  it('lets an owner track their own time', async () => {
    const response = await start({ workspace_id: WS, user_id: users.owner });
    expect(response.status).toBe(200);
    expect(await table.get(keys.activeTracker(users.owner))).toMatchObject({ user_id: users.owner, started_by: users.owner });
  });

  it('costs exactly two DynamoDB round trips: one BatchGetItem, one transaction (the tracker, if the timeline is unchanged)', async () => {
    const counter = countRoundTrips(documentClient);
    try {
      const response = await start({ workspace_id: WS, user_id: users.member, contract_id: 20, task_id: 5 });
      expect(response.status).toBe(200);
      expect(counter.calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    } finally {
      counter.remove();
    }
  });

  it("binds the tracker to the workspace's limit, read in the same batch: still two round trips, auto_stop_at stored and answered", async () => {
    await table.put([
      { ...keys.workspaceSettings(WS), entity: 'workspace_settings', workspace_id: WS, max_tracker_duration_minutes: 90, time_zone: 'UTC', version: 1, updated_at: null, updated_by: null },
    ]);
    const counter = countRoundTrips(documentClient);
    try {
      const response = await start({ workspace_id: WS, user_id: users.member });
      expect(response.status).toBe(200);
      expect(counter.calls).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
      const due = `${new Date(Date.parse(response.body.data.start_time) + 90 * 60_000).toISOString().slice(0, 19)}+00:00`;
      expect(response.body.data.auto_stop_at).toBe(due);
      expect(await table.get(keys.activeTracker(users.member))).toMatchObject({ auto_stop_at: due });
      expect(await table.get(keys.workspaceActiveTracker(WS, users.member))).toMatchObject({ auto_stop_at: due });
    } finally {
      counter.remove();
    }
  });

  it('sets security headers on every response', async () => {
    const ok = await start({ workspace_id: WS, user_id: users.member });
    const denied = await start({ workspace_id: WS, user_id: users.member }, { authorizer: null });
    for (const response of [ok, denied]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['strict-transport-security']).toContain('max-age=');
    }
  });
});

describe('1: credentials (401)', () => {
  const cases: Array<[string, Parameters<typeof httpEvent>[0]['authorizer']]> = [
    ['no authorizer context', null],
    ['an authorizer error', { auth_error: 'token expired' }],
    ['a cached principal whose token has expired', principalContext(users.owner, 'read write', -5)],
    ['a malformed principal id', { principal_id: 'abc', auth_method: 'jwt', scopes: 'write', expires_at: 0 }],
  ];
  it.each(cases)('rejects %s', async (_name, authorizer) => {
    const response = await start({ workspace_id: WS, user_id: users.member }, { authorizer });
    expect(response.status).toBe(401);
    expectEnvelope(response, false);
    expect(response.body.message).toBe('Unauthenticated.');
    await expectNothingStored();
  });

  it('answers 401 before looking at the body', async () => {
    const response = await start(undefined, { authorizer: null, rawBody: '{not json' });
    expect(response.status).toBe(401);
  });
});

describe('2: scope (403)', () => {
  it('rejects a token without the write scope, before reading the body', async () => {
    const response = await start(undefined, { authorizer: principalContext(users.owner, 'read'), rawBody: '[]' });
    expect(response.status).toBe(403);
    expectEnvelope(response, false);
    await expectNothingStored();
  });

  it('accepts the admin scope', async () => {
    const response = await start({ workspace_id: WS, user_id: users.member }, { authorizer: principalContext(users.owner, 'admin') });
    expect(response.status).toBe(200);
  });
});

describe('3: body is not a JSON object (400)', () => {
  it.each([['{"workspace_id": 1,'], ['[1, 2]'], ['"text"'], ['42'], ['null'], ['']])('rejects %j', async (rawBody) => {
    const response = await start(undefined, { rawBody });
    expect(response.status).toBe(400);
    expectEnvelope(response, false);
    expect(response.body.error).toBe('bad_request');
    await expectNothingStored();
  });

  it('rejects a missing body', async () => {
    const response = await start(undefined);
    expect(response.status).toBe(400);
  });
});

describe('4: validation (422)', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, string[]>]> = [
    ['missing ids', {}, { workspace_id: ['The workspace id field is required.'], user_id: ['The user id field is required.'] }],
    ['null ids', { workspace_id: null, user_id: null }, { workspace_id: ['The workspace id field is required.'], user_id: ['The user id field is required.'] }],
    ['string ids', { workspace_id: '1', user_id: 'abc' }, { workspace_id: ['The workspace id field must be an integer.'], user_id: ['The user id field must be an integer.'] }],
    ['floats', { workspace_id: 1.5, user_id: 101 }, { workspace_id: ['The workspace id field must be an integer.'] }],
    ['booleans', { workspace_id: true, user_id: 101 }, { workspace_id: ['The workspace id field must be an integer.'] }],
    ['zero', { workspace_id: 0, user_id: 101 }, { workspace_id: ['The workspace id field must be at least 1.'] }],
    ['negative', { workspace_id: 1, user_id: -101 }, { user_id: ['The user id field must be at least 1.'] }],
    ['beyond 2^53-1', { workspace_id: 9007199254740992, user_id: 101 }, { workspace_id: ['The workspace id field must not be greater than 9007199254740991.'] }],
    ['a string contract id', { workspace_id: 1, user_id: 101, contract_id: '20' }, { contract_id: ['The contract id field must be an integer.'] }],
    ['a task without a contract', { workspace_id: 1, user_id: 101, task_id: 5 }, { contract_id: ['The contract id field is required when task id is present.'] }],
    ['a task with a null contract', { workspace_id: 1, user_id: 101, contract_id: null, task_id: 5 }, { contract_id: ['The contract id field is required when task id is present.'] }],
    ['a description that is not a string', { workspace_id: 1, user_id: 101, activity_description: 12 }, { activity_description: ['The activity description field must be a string.'] }],
    [
      'a description over 1000 characters',
      { workspace_id: 1, user_id: 101, activity_description: 'x'.repeat(1001) },
      { activity_description: ['The activity description field must not be greater than 1000 characters.'] },
    ],
    [
      'a description with a lone surrogate',
      { workspace_id: 1, user_id: 101, activity_description: 'bad \ud800 text' },
      { activity_description: ['The activity description field must be a valid UTF-8 string.'] },
    ],
  ];
  it.each(cases)('rejects %s with a message per field', async (_name, body, errors) => {
    const response = await start(body);
    expect(response.status).toBe(422);
    expectEnvelope(response, false);
    expect(response.body.message).toBe('Validation failed');
    expect(response.body.errors).toEqual(errors);
    await expectNothingStored();
  });

  it('accepts exactly 1000 characters (counted as characters, not UTF-16 units) after trimming', async () => {
    const description = `  ${'é'.repeat(500)}${'😀'.repeat(500)}  `;
    const response = await start({ workspace_id: WS, user_id: users.member, activity_description: description });
    expect(response.status).toBe(200);
    expect(response.body.data.activity_description).toBe(description.trim());
  });

  it('validates before touching the workspace: a stranger with a bad body gets 422, not 403', async () => {
    const response = await start({ workspace_id: UNKNOWN_WS }, { caller: users.stranger });
    expect(response.status).toBe(422);
  });
});

describe('5: caller may not manage the workspace (403)', () => {
  it.each([
    ['a regular member', users.member, WS],
    ['a team manager', users.teamManager, WS],
    ['an inactive owner', users.inactive, WS],
    ['a non-member', users.stranger, WS],
    ['the owner of another workspace', users.otherWorkspaceOwner, WS],
    ['anyone, for an unknown workspace', users.owner, UNKNOWN_WS],
  ])('rejects %s', async (_name, caller, workspaceId) => {
    const response = await start({ workspace_id: workspaceId, user_id: users.member }, { caller });
    expect(response.status).toBe(403);
    expectEnvelope(response, false);
    expect(response.body.error).toBe('forbidden');
    await expectNothingStored();
  });

  it('answers an unknown workspace exactly like a known one (no existence leak)', async () => {
    const known = await start({ workspace_id: WS, user_id: users.member }, { caller: users.stranger });
    const unknown = await start({ workspace_id: UNKNOWN_WS, user_id: users.member }, { caller: users.stranger });
    expect({ ...unknown.body, meta: null }).toEqual({ ...known.body, meta: null });
  });
});

describe('6: target is not an active member (404)', () => {
  it.each([
    ['not a member', users.stranger],
    ['an inactive member', users.inactive],
    ['a member of another workspace only', users.otherWorkspaceOwner],
  ])('rejects a user who is %s', async (_name, userId) => {
    const response = await start({ workspace_id: WS, user_id: userId });
    expect(response.status).toBe(404);
    expectEnvelope(response, false);
    await expectNothingStored();
  });
});

describe('7: contract or task not in the workspace (404)', () => {
  it.each([
    ['an unknown contract', { contract_id: 999 }],
    ['a contract of another workspace', { contract_id: 30 }],
    ['an unknown task', { contract_id: 20, task_id: 999 }],
    ['a task of another workspace', { contract_id: 20, task_id: 7 }],
  ])('rejects %s', async (_name, extra) => {
    const response = await start({ workspace_id: WS, user_id: users.member, ...extra });
    expect(response.status).toBe(404);
    expectEnvelope(response, false);
    await expectNothingStored();
  });
});

describe('8: records that do not fit (422)', () => {
  it.each([
    ["another user's contract", { user_id: users.member, contract_id: 22 }, ['contract_id']],
    ['a paused contract', { user_id: users.member, contract_id: 21 }, ['contract_id']],
    ["a task outside the contract's project", { user_id: users.member, contract_id: 20, task_id: 6 }, ['task_id']],
    ['a project viewer', { user_id: users.viewer }, ['user_id']],
    ['a project viewer with their own contract', { user_id: users.viewer, contract_id: 23 }, ['user_id']],
  ])('rejects %s', async (_name, extra, fields) => {
    const response = await start({ workspace_id: WS, ...extra });
    expect(response.status).toBe(422);
    expectEnvelope(response, false);
    expect(Object.keys(response.body.errors).sort()).toEqual(fields);
    await expectNothingStored();
  });
});

describe('9: one active tracker per user (400)', () => {
  it('refuses a second tracker and keeps the first untouched', async () => {
    const first = await start({ workspace_id: WS, user_id: users.member, contract_id: 20 });
    const stored = await table.get(keys.activeTracker(users.member));
    const second = await start({ workspace_id: WS, user_id: users.member, activity_description: 'again' });
    expect(first.status).toBe(200);
    expect(second.status).toBe(400);
    expectEnvelope(second, false);
    expect(second.body.error).toBe('tracker_already_active');
    expect(second.body.message).toMatch(/stop/i);
    expect(await table.get(keys.activeTracker(users.member))).toEqual(stored);
  });

  it('counts a tracker in another workspace, without revealing it', async () => {
    const elsewhere = await start({ workspace_id: OTHER_WS, user_id: users.member, contract_id: 30, activity_description: 'secret' }, { caller: users.otherWorkspaceOwner });
    expect(elsewhere.status).toBe(200);
    const here = await start({ workspace_id: WS, user_id: users.member });
    expect(here.status).toBe(400);
    const { meta: _meta, ...visible } = here.body;
    const text = JSON.stringify(visible);
    expect(text).not.toContain('secret');
    expect(text).not.toContain(elsewhere.body.data.start_time);
    expect(text).not.toMatch(/workspace/i);
  });

  it('lets exactly one of 50 parallel starts for the same user win', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, (_, index) => start({ workspace_id: WS, user_id: users.member, activity_description: `attempt ${index}` })));
    const statuses = responses.map((response) => response.status);
    // The losers are told a tracker is active (400), or, when DynamoDB cancels a transaction for a conflict with another
    // (it does under load: 32 of 49 in one run of the whole suite), to retry (503 + Retry-After, failure-semantics.md):
    // a retry then answers 400. Never a second tracker, never two winners.
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status !== 200 && status !== 400 && status !== 503)).toEqual([]);
    for (const response of responses.filter((one) => one.status === 503)) expect(response.headers['retry-after']).toBeDefined();
    const stored = await trackers();
    expect(stored).toHaveLength(1);
    const winner = responses.find((response) => response.status === 200)!;
    expect(stored[0]!.activity_description).toBe(winner.body.data.activity_description);
    const retried = await Promise.all(responses.filter((one) => one.status === 503).map(() => start({ workspace_id: WS, user_id: users.member })));
    expect(retried.map((response) => response.status)).toEqual(retried.map(() => 400));
  });
});

describe('retries', () => {
  it('answers 200 when the SDK retries a write whose answer was lost (same request id)', async () => {
    const lostAnswer = injectFault(documentClient, { command: 'TransactWriteItemsCommand', error: faults.connectionReset, times: 1, afterSend: true });
    try {
      const response = await start({ workspace_id: WS, user_id: users.member, activity_description: 'retried' }, { requestId: 'req-retried' });
      expect(lostAnswer.hits()).toBe(1);
      expect(response.status).toBe(200);
      expect(response.body.data.activity_description).toBe('retried');
      expect(await table.get(keys.activeTracker(users.member))).toMatchObject({ request_id: 'req-retried', activity_description: 'retried' });
      expect(await trackers()).toHaveLength(1);
    } finally {
      lostAnswer.remove();
    }
  });
});

describe('10-11: DynamoDB failures', () => {
  it.each([
    ['throttled reads', 'BatchGetItemCommand', faults.throttled],
    ['throttled writes', 'TransactWriteItemsCommand', faults.throttled],
    ['timeouts', 'BatchGetItemCommand', faults.timeout],
    ['service errors', 'TransactWriteItemsCommand', faults.serviceError],
  ])('answers 503 with Retry-After on %s, storing nothing', async (_name, command, error) => {
    const fault = injectFault(documentClient, { command, error });
    try {
      const response = await start({ workspace_id: WS, user_id: users.member });
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toMatch(/^\d+$/);
      expectEnvelope(response, false);
      expect(response.body.error).toBe('service_unavailable');
      expect(fault.hits()).toBeGreaterThanOrEqual(1);
    } finally {
      fault.remove();
    }
    await expectNothingStored();
  });

  it('answers a generic 500 for anything else, leaking nothing', async () => {
    const fault = injectFault(documentClient, { command: 'BatchGetItemCommand', error: faults.bug });
    try {
      const response = await start({ workspace_id: WS, user_id: users.member });
      expect(response.status).toBe(500);
      expectEnvelope(response, false);
      expect(response.body).toEqual({ success: false, message: 'Server Error.', error: 'internal_error', meta: expect.any(Object) });
      expect(JSON.stringify(response.body)).not.toMatch(/secret-table-name|TypeError|pk/);
    } finally {
      fault.remove();
    }
    await expectNothingStored();
  });
});
