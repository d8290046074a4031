import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { keys } from '../../shared/db/keys.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { faults, injectFault } from '../support/dynamo-faults.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { loadHandlers, type Handlers } from '../support/handlers.ts';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { emitted, series, type Emf } from '../support/emf.ts';

/**
 * What each function emits as CloudWatch embedded metrics (EMF) on its output, per
 * outcome: the lines the stack's alarms and dashboard read.
 */
let table: TestTable;
let issuer: TestIssuer;
let api: Handlers;
let authorizer: typeof import('../../functions/authorizer/handler.ts')['handler'];

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  // What Lambda sets for an on-demand container: Powertools counts cold starts only then.
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  table = await createTestTable('observability');
  await table.seed(testSeed);
  issuer = await startTestIssuer();
  Object.assign(process.env, issuer.env());
  api = await loadHandlers();
  ({ handler: authorizer } = await import('../../functions/authorizer/handler.ts'));
});
afterAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  await issuer.close();
  await table.drop();
});

const member = { workspace_id: WS, user_id: users.member };

describe('handler metrics', () => {
  // First in this file: the container's (the module's) first invocation.
  it('reports a cold start on the first invocation only', async () => {
    const first = series(await emitted(() => api.current(member)), 'ColdStart');
    expect(first).toEqual([expect.objectContaining({ namespace: 'TimeTrackingApi', value: 1 })]);
    expect(series(await emitted(() => api.current(member)), 'ColdStart')).toEqual([]);
  });

  it.each([
    ['started', () => api.start(member)],
    ['tracker_already_active', () => api.start(member)],
    ['stopped', () => api.stop(member)],
    ['no_active_tracker', () => api.stop(member)],
    ['validation_failed', () => api.start({ workspace_id: 'x' })],
    ['forbidden', () => api.start(member, { caller: users.member })],
    ['insufficient_scope', () => api.start(member, { scopes: 'read' })],
    ['current_read', () => api.current(member)],
    ['entries_listed', () => api.entries({ ...member, date: '2024-01-15' })],
  ])('counts a request answered %s, by route and outcome, low-cardinality', async (outcome, call) => {
    const documents = await emitted(call);
    const requests = series(documents, 'Requests');
    expect(requests).toEqual(
      expect.arrayContaining([
        { namespace: 'TimeTrackingApi', dimensions: { service: 'time-tracking-api', route: expect.stringMatching(/^(GET|POST) \//), outcome }, value: 1 },
        { namespace: 'TimeTrackingApi', dimensions: { service: 'time-tracking-api', outcome }, value: 1 },
      ]),
    );
    // No user, workspace or key ever becomes a dimension.
    for (const { dimensions } of requests) expect(Object.keys(dimensions).sort()).toEqual(expect.arrayContaining(['outcome', 'service']));
    for (const document of documents) expect(JSON.stringify(document)).not.toMatch(/"(user_id|workspace_id|principal_id)"/);
  });

  it('counts a 503 as service_unavailable and a bug as internal_error', async () => {
    for (const [kind, outcome] of [
      ['throttled', 'service_unavailable'],
      ['bug', 'internal_error'],
    ] as const) {
      const fault = injectFault(api.documentClient, { command: 'BatchGetItemCommand', error: faults[kind] });
      try {
        expect(series(await emitted(() => api.current(member)), 'Requests').map((entry) => entry.dimensions.outcome)).toContain(outcome);
      } finally {
        fault.remove();
      }
    }
  });
});

describe('authorizer metrics', () => {
  const event = (authorization: string) => ({ headers: { authorization }, identitySource: [authorization] }) as unknown as APIGatewayRequestAuthorizerEventV2;
  const outcomes = (documents: Emf[]) => series(documents, 'Authentications').map((entry) => entry.dimensions);

  it('counts accepted JWTs and API keys, refusals by reason, and transient failures', async () => {
    const token = await issuer.sign({ sub: String(users.owner) });
    expect(outcomes(await emitted(() => authorizer(event(`Bearer ${token}`))))).toContainEqual({ service: 'time-tracking-api', outcome: 'jwt_accepted' });
    expect(outcomes(await emitted(() => authorizer(event('Bearer nope'))))).toContainEqual({ service: 'time-tracking-api', outcome: 'refused', reason: 'malformed token' });

    const key = `ttk_${'K'.repeat(43)}`;
    const { hashApiKey } = await import('../../shared/auth/api-keys.ts');
    await table.client.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.apiKey(hashApiKey(key)), entity: 'api_key', key_id: 'k', user_id: users.owner, scopes: ['read'] } }));
    expect(outcomes(await emitted(() => authorizer(event(`Bearer ${key}`))))).toContainEqual({ service: 'time-tracking-api', outcome: 'api_key_accepted' });

    const fault = injectFault((await import('../../shared/db/api-key-store.ts')).apiKeyDocumentClient, { command: 'GetItemCommand', error: faults.throttled });
    try {
      expect(outcomes(await emitted(() => authorizer(event(`Bearer ${key}`))))).toContainEqual({ service: 'time-tracking-api', outcome: 'transient_failure' });
    } finally {
      fault.remove();
    }
  });
});

describe('metric hygiene', () => {
  it('emits no Powertools warning on a request (no dimension added twice)', async () => {
    // Powertools writes its own warnings to stderr.
    const lines: string[] = [];
    const [stdout, stderr] = [process.stdout.write, process.stderr.write];
    const capture = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    try {
      await api.current(member);
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    }
    expect(lines.join('\n')).toContain('"Requests"');
    expect(lines.join('\n')).not.toMatch(/already been added|won't be added|EMF key/);
  });
});
