import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { generateApiKey, hashApiKey, newApiKeyRecord } from '../../shared/auth/api-keys.ts';
import { createAuthenticator } from '../../shared/auth/authenticate.ts';
import { createJwtVerifier } from '../../shared/auth/jwt-verifier.ts';
import { loadJwtConfig } from '../../shared/config/auth-config.ts';
import { createApiKeyAdmin } from '../../admin/api-key-admin.ts';
import { AuthUnavailableError } from '../../shared/auth/auth-errors.ts';
import { createApiKeyLookup } from '../../shared/db/api-key-lookup.ts';
import { freePort } from '../../local/dynamodb/dynamodb-local.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { countRoundTrips } from '../support/dynamo-faults.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { httpEvent, lambdaContext, parse } from '../support/http-events.ts';
import { AUDIENCE, forged, ISSUER, startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';

/**
 * The authorizer against a real JWKS server on loopback and API keys in DynamoDB Local,
 * then end to end through the start handler.
 */
let table: TestTable;
let issuer: TestIssuer;
let authorizer: typeof import('../../functions/authorizer/handler.ts')['handler'];
let startHandler: typeof import('../../functions/start-time-tracking/handler.ts')['handler'];
let documentClient: typeof import('../../shared/db/api-key-store.ts')['apiKeyDocumentClient'];
const apiKeys: Record<'valid' | 'readOnly' | 'revoked' | 'expired' | 'unknown', string> = {
  valid: generateApiKey(),
  readOnly: generateApiKey(),
  revoked: generateApiKey(),
  expired: generateApiKey(),
  unknown: generateApiKey(),
};

beforeAll(async () => {
  issuer = await startTestIssuer();
  table = await createTestTable('authorizer');
  await table.seed(testSeed);
  Object.assign(process.env, issuer.env());
  ({ handler: authorizer } = await import('../../functions/authorizer/handler.ts'));
  ({ handler: startHandler } = await import('../../functions/start-time-tracking/handler.ts'));
  ({ apiKeyDocumentClient: documentClient } = await import('../../shared/db/api-key-store.ts'));
  const repository = createApiKeyAdmin(table.client, table.tableName);
  const now = new Date();
  const save = (key: string, fields: Partial<Parameters<typeof newApiKeyRecord>[1]> = {}) =>
    repository.insert(newApiKeyRecord(key, { userId: users.owner, name: 'test', scopes: ['read', 'write'], expiresAt: null, now, ...fields }));
  await save(apiKeys.valid);
  await save(apiKeys.readOnly, { scopes: ['read'] });
  await save(apiKeys.revoked);
  await save(apiKeys.expired, { expiresAt: new Date(Date.now() - 1000).toISOString() });
  expect(await repository.revoke(hashApiKey(apiKeys.revoked).slice(0, 16), now)).toMatchObject({ revokedAt: now.toISOString() });
});
afterAll(async () => {
  await issuer.close();
  await table.drop();
});

function authorizerEvent(authorization: string | undefined, extraHeaders: Record<string, string> = {}): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:123456789012:api/$default/POST/time-tracking/start',
    identitySource: authorization === undefined ? [] : [authorization],
    routeKey: 'POST /time-tracking/start',
    rawPath: '/time-tracking/start',
    rawQueryString: '',
    cookies: [],
    headers: { ...(authorization === undefined ? {} : { authorization }), ...extraHeaders },
    requestContext: {} as APIGatewayRequestAuthorizerEventV2['requestContext'],
  };
}

async function authorize(authorization: string | undefined, extraHeaders?: Record<string, string>) {
  const result = await authorizer(authorizerEvent(authorization, extraHeaders));
  expect(result.isAuthorized).toBe(true);
  return result.context as Record<string, unknown>;
}

const bearer = (token: string) => `Bearer ${token}`;

describe('JWT access tokens', () => {
  it('accepts a valid RS256 token: principal, method, scopes and expiry', async () => {
    const token = await issuer.sign({ sub: String(users.owner) }, { expiresIn: '10m' });
    const context = await authorize(bearer(token));
    expect(context).toEqual({ principal_id: String(users.owner), auth_method: 'jwt', scopes: 'read write', expires_at: expect.any(Number) });
    expect(context.expires_at as number).toBeGreaterThan(Date.now() / 1000 + 500);
  });

  it('accepts a valid ES256 token and a lower-case scheme', async () => {
    const token = await issuer.sign({ sub: '42', scope: 'read' }, { key: issuer.keys.ec });
    expect(await authorize(`bearer ${token}`)).toMatchObject({ principal_id: '42', scopes: 'read' });
  });

  it('fetches the JWKS once per container, not per request', async () => {
    const verifyJwt = createJwtVerifier(loadJwtConfig(issuer.env()));
    const before = issuer.jwksRequests();
    const principals = [];
    for (let i = 0; i < 4; i++) principals.push(await verifyJwt(await issuer.sign({ sub: String(40 + i) })));
    expect(principals.map((principal) => principal.userId)).toEqual([40, 41, 42, 43]);
    expect(issuer.jwksRequests() - before).toBe(1);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refused: Array<[string, () => Promise<string>]> = [
    ['an expired token', () => issuer.sign({ sub: '42' }, { expiresIn: now() - 60 })],
    ['a token whose nbf is in the future', () => issuer.sign({ sub: '42', nbf: now() + 600 })],
    ['a token without exp', () => issuer.sign({ sub: '42' }, { expiresIn: null })],
    ['a wrong issuer', () => issuer.sign({ sub: '42', iss: 'https://evil.test' })],
    ['a wrong audience', () => issuer.sign({ sub: '42', aud: 'another-api' })],
    ['alg: none', async () => forged.unsigned({ sub: '42', iss: ISSUER, aud: AUDIENCE, exp: now() + 600, scope: 'write' })],
    [
      'HS256 signed with the public key as the secret',
      async () => {
        const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'rsa-1' })).toString('base64url');
        const payload = Buffer.from(JSON.stringify({ sub: '42', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 })).toString('base64url');
        const signature = createHmac('sha256', JSON.stringify(issuer.keys.rsa.publicJwk)).update(`${header}.${payload}`).digest('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['an unknown kid', () => issuer.sign({ sub: '42' }, { kid: 'nobody' })],
    ['a tampered payload', async () => forged.tamper(await issuer.sign({ sub: '42', scope: 'read' }), { sub: '1', scope: 'admin' })],
    ['a signature from another key', () => issuer.sign({ sub: '42' }, { key: issuer.keys.rogue })],
    ['a non-integer user claim', () => issuer.sign({ sub: 'user-42' })],
    ['a zero user claim', () => issuer.sign({ sub: '0' })],
    ['garbage', async () => 'not.a.token'],
  ];
  it.each(refused)('refuses %s with an auth_error', async (_name, makeToken) => {
    const context = await authorize(bearer(await makeToken()));
    expect(context).toEqual({ auth_error: expect.any(String) });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['an empty bearer value', 'Bearer '],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['two tokens', 'Bearer a b'],
  ])('refuses %s', async (_name, header) => {
    expect(await authorize(header)).toEqual({ auth_error: expect.any(String) });
  });

  it('never refuses a token because the JWKS cannot be fetched: it throws, so nothing is cached', async () => {
    const deadPort = await freePort();
    const verifyJwt = createJwtVerifier(loadJwtConfig({ ...issuer.env(), AUTH_JWKS_URL: `http://127.0.0.1:${deadPort}/jwks.json` }));
    const authenticate = createAuthenticator({ verifyJwt, findApiKey: async () => ({ status: 'unknown' }), clock: { now: () => new Date() }, logger: silentLogger() });
    await expect(authenticate(bearer(await issuer.sign({ sub: '42' })))).rejects.toBeInstanceOf(AuthUnavailableError);
  });

  it.each(['error', 'hang', 'garbage'] as const)(
    'keeps the last good key set while the JWKS answers %s, and refreshes after',
    async (outage) => {
      // A verifier whose key set is older than jose's 10-minute cache: every call refreshes.
      let clock = Date.now();
      const realNow = Date.now;
      Date.now = () => clock;
      try {
        const verifyJwt = createJwtVerifier(loadJwtConfig(issuer.env()));
        expect((await verifyJwt(await issuer.sign({ sub: '42' }))).userId).toBe(42);
        clock += 11 * 60_000;
        issuer.setJwksMode(outage);
        const during = await verifyJwt(await issuer.sign({ sub: '43' }));
        expect(during.userId).toBe(43);
        // A kid the last good set does not know may be a new key: transient, not a refusal.
        const rotated = await issuer.makeKey('rsa-2', 'RS256');
        await expect(verifyJwt(await issuer.sign({ sub: '44' }, { key: rotated }))).rejects.toBeInstanceOf(AuthUnavailableError);
        // The issuer recovers with the new key: after the retry pause, the refresh brings it.
        issuer.setJwksMode('ok');
        issuer.publish([issuer.keys.rsa, rotated]);
        clock += 31_000;
        expect((await verifyJwt(await issuer.sign({ sub: '45' }, { key: rotated }))).userId).toBe(45);
        // After a successful refresh an unknown kid is a definite refusal.
        clock += 31_000;
        await expect(verifyJwt(await issuer.sign({ sub: '46' }, { kid: 'nobody' }))).rejects.toThrow('no matching key');
      } finally {
        Date.now = realNow;
        issuer.setJwksMode('ok');
        issuer.publish([issuer.keys.rsa, issuer.keys.ec]);
      }
    },
    20_000,
  );

  it('stops trusting a last good key set older than 24 hours', async () => {
    let clock = Date.now();
    const realNow = Date.now;
    Date.now = () => clock;
    try {
      const verifyJwt = createJwtVerifier(loadJwtConfig(issuer.env()));
      await verifyJwt(await issuer.sign({ sub: '42' }));
      issuer.setJwksMode('error');
      clock += 24 * 3_600_000 + 1000;
      const token = await issuer.sign({ sub: '42' }, { expiresIn: Math.floor(clock / 1000) + 600 });
      await expect(verifyJwt(token)).rejects.toBeInstanceOf(AuthUnavailableError);
    } finally {
      Date.now = realNow;
      issuer.setJwksMode('ok');
    }
  });

  it('reads the user id from a configured claim', async () => {
    const verifyJwt = createJwtVerifier(loadJwtConfig({ ...issuer.env(), AUTH_USER_ID_CLAIM: 'https://example.com/user_id' }));
    const principal = await verifyJwt(await issuer.sign({ sub: 'auth0|abc', 'https://example.com/user_id': '77' }));
    expect(principal.userId).toBe(77);
  });
});

describe('API keys', () => {
  it('accepts a valid key: its owner and scopes, no expiry', async () => {
    // Its id too: a key may always revoke itself.
    expect(await authorize(bearer(apiKeys.valid))).toEqual({ principal_id: String(users.owner), auth_method: 'api_key', scopes: 'read write', key_id: hashApiKey(apiKeys.valid).slice(0, 16) });
  });

  it.each([
    ['a revoked key', () => apiKeys.revoked],
    ['an expired key', () => apiKeys.expired],
    ['an unknown key', () => apiKeys.unknown],
  ])('refuses %s', async (_name, key) => {
    expect(await authorize(bearer(key()))).toEqual({ auth_error: expect.any(String) });
  });

  it.each([
    ['too short', 'ttk_abc'],
    ['bad characters', `ttk_${'!'.repeat(43)}`],
    ['too long', `${apiKeys.valid}x`],
  ])('refuses a malformed key (%s) without any DynamoDB call', async (_name, key) => {
    const counter = countRoundTrips(documentClient);
    try {
      expect(await authorize(bearer(key))).toEqual({ auth_error: 'malformed api key' });
      expect(counter.calls).toEqual([]);
    } finally {
      counter.remove();
    }
  });

  it('stores only the hash: no item holds the plaintext key', async () => {
    const stored = JSON.stringify(await table.scan());
    for (const key of Object.values(apiKeys)) expect(stored).not.toContain(key);
    expect(stored).toContain(hashApiKey(apiKeys.valid));
  });

  it('never logs a key, its hash or a token', async () => {
    const lines: string[] = [];
    const logger = silentLogger((...args: unknown[]) => lines.push(JSON.stringify(args)));
    const verifyJwt = createJwtVerifier(loadJwtConfig(issuer.env()));
    const authenticate = createAuthenticator({ verifyJwt, findApiKey: createApiKeyLookup(table.client, table.tableName), clock: { now: () => new Date() }, logger });
    const token = await issuer.sign({ sub: '42' });
    for (const key of Object.values(apiKeys)) await authenticate(bearer(key));
    await authenticate(bearer(token));
    await authenticate(bearer(forged.tamper(token, { sub: '1' })));
    expect(lines.length).toBeGreaterThan(0);
    const logged = lines.join('\n');
    for (const key of Object.values(apiKeys)) {
      expect(logged).not.toContain(key);
      expect(logged).not.toContain(hashApiKey(key));
      expect(logged).not.toContain(key.slice(4, 20));
    }
    expect(logged).not.toContain(token.split('.')[2]);
  });
});

describe('the authorizer contract', () => {
  it('never loads the AWS SDK for a JWT: the API-key store is imported on the first API key', async () => {
    const source = await import('node:fs').then((fs) => fs.readFileSync(new URL('../../functions/authorizer/handler.ts', import.meta.url), 'utf8'));
    // Static imports only: nothing of shared/db but through the lazy import().
    expect(source.match(/^import .* from '.*shared\/db\/.*';$/gm) ?? []).toEqual([]);
    expect(source).toContain("import('../../shared/db/api-key-store.ts')");
  });

  it('depends on the Authorization header alone', async () => {
    const token = await issuer.sign({ sub: '42' }, { expiresIn: '10m' });
    const plain = await authorize(bearer(token));
    const spoofed = await authorize(bearer(token), {
      'x-user-id': '1',
      'x-forwarded-for': '10.0.0.1',
      cookie: 'session=admin',
      'x-api-key': apiKeys.valid,
      'x-amzn-oidc-identity': '1',
    });
    expect(spoofed).toEqual(plain);
    const keyOnly = await authorize(undefined, { 'x-api-key': apiKeys.valid });
    expect(keyOnly).toEqual({ auth_error: expect.any(String) });
  });
});

describe('end to end through the start handler', () => {
  async function startWith(authorization: string | undefined, body: unknown = { workspace_id: WS, user_id: users.member }) {
    const context = await authorize(authorization);
    const event = httpEvent({ path: '/time-tracking/start', body, authorizer: context as never });
    return parse(await startHandler(event, lambdaContext()));
  }

  it.each([
    ['no credentials', async () => undefined],
    ['an expired token', async () => bearer(await issuer.sign({ sub: String(users.owner) }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }))],
    ['a wrong audience', async () => bearer(await issuer.sign({ sub: String(users.owner), aud: 'x' }))],
    ['alg none', async () => bearer(forged.unsigned({ sub: String(users.owner), iss: ISSUER, aud: AUDIENCE, exp: 9999999999, scope: 'write' }))],
    ['a revoked key', async () => bearer(apiKeys.revoked)],
    ['a malformed key', async () => bearer('ttk_nope')],
  ])('answers 401 in the envelope for %s, storing nothing', async (_name, header) => {
    const response = await startWith(await header());
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ success: false, message: 'Unauthenticated.', error: 'unauthenticated', meta: expect.any(Object) });
    expect((await table.scan()).filter((item) => item.sk === 'TRACKER')).toEqual([]);
  });

  it('answers 403 for a read-only token and a read-only key', async () => {
    const token = await issuer.sign({ sub: String(users.owner), scope: 'read' });
    expect((await startWith(bearer(token))).status).toBe(403);
    expect((await startWith(bearer(apiKeys.readOnly))).status).toBe(403);
  });

  it('starts a tracker with a valid token, then refuses a second with a valid API key', async () => {
    const token = await issuer.sign({ sub: String(users.owner) });
    const first = await startWith(bearer(token));
    expect(first.status).toBe(200);
    const second = await startWith(bearer(apiKeys.valid));
    expect(second.status).toBe(400);
    expect(await table.get({ pk: `USER#${users.member}`, sk: 'TRACKER' })).toMatchObject({ started_by: users.owner });
  });
});

/** A Powertools-shaped logger that records calls instead of printing. */
function silentLogger(record: (...args: unknown[]) => void = () => {}) {
  const log = (...args: unknown[]) => record(...args);
  return { info: log, warn: log, error: log, debug: log } as unknown as Parameters<typeof createAuthenticator>[0]['logger'];
}
