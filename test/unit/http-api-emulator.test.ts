import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { routeList, routes } from '../../shared/contracts/routes.ts';
import { createAuthorizerCache, createHttpApiEmulator, type AuthorizerResult } from '../../local/api-gateway/http-api-emulator.ts';

/**
 * The API Gateway emulator on loopback with stand-in functions: routing from the route
 * table, API Gateway's own answers, and the authorizer cache (what is cached, what is not).
 */
let server: Server;
let baseUrl: string;
let authorizerCalls = 0;
let authorizerMode: 'ok' | 'throw' | 'invalid' = 'ok';
const seenEvents: any[] = [];

beforeAll(async () => {
  const functions = Object.fromEntries(
    routeList.map((route) => [route.functionName, async (event: any) => (seenEvents.push(event), { statusCode: 200, body: JSON.stringify({ route: route.name }) })]),
  );
  const handle = createHttpApiEmulator({
    routes: routeList,
    functions,
    authorizer: async (event) => {
      authorizerCalls++;
      if (authorizerMode === 'throw') throw new Error('DynamoDB throttled');
      if (authorizerMode === 'invalid') return { nope: true } as unknown as AuthorizerResult;
      return { isAuthorized: true, context: { principal_id: event.identitySource[0]!.slice(7) } };
    },
    authorizerCacheTtlSeconds: 300,
  });
  server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A raw request, so that repeated headers can be sent as such. */
function send(method: string, path: string, rawHeaders: string[] = []): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    // A raw header list replaces Node's defaults: Host and the body framing must be given.
    const headers = ['host', new URL(baseUrl).host, 'content-length', '0', ...rawHeaders];
    const request = httpRequest(`${baseUrl}${path}`, { method, headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('routing', () => {
  it.each(routeList.map((route) => [route.name, route] as const))('routes %s to its function with a payload 2.0 event', async (name, route) => {
    const response = await send(route.method, route.path, ['authorization', 'Bearer 1']);
    expect(response).toEqual({ status: 200, body: { route: name } });
    const event = seenEvents.at(-1);
    expect(event).toMatchObject({ version: '2.0', routeKey: `${route.method} ${route.path}`, requestContext: { authorizer: { lambda: { principal_id: '1' } } } });
  });

  it('answers 404 itself for an unknown route or method', async () => {
    expect(await send('GET', '/nope', ['authorization', 'Bearer 1'])).toEqual({ status: 404, body: { message: 'Not Found' } });
    expect((await send('DELETE', routes.startTimeTracking.path, ['authorization', 'Bearer 1'])).status).toBe(404);
  });
});

describe('the authorizer and its cache', () => {
  it('answers 401 itself without an Authorization header, or with two, never calling the authorizer', async () => {
    const before = authorizerCalls;
    expect(await send('POST', routes.startTimeTracking.path)).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    expect(await send('POST', routes.startTimeTracking.path, ['authorization', 'Bearer 7', 'authorization', 'Bearer 8'])).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    expect(authorizerCalls).toBe(before);
  });

  it('caches an answer per Authorization header', async () => {
    const before = authorizerCalls;
    await send('POST', routes.startTimeTracking.path, ['authorization', 'Bearer 21']);
    await send('POST', routes.startTimeTracking.path, ['authorization', 'Bearer 21']);
    await send('POST', routes.startTimeTracking.path, ['authorization', 'Bearer 22']);
    expect(authorizerCalls - before).toBe(2);
  });

  it.each(['throw', 'invalid'] as const)('answers 500 when the authorizer fails (%s), and caches nothing', async (mode) => {
    authorizerMode = mode;
    try {
      expect(await send('POST', routes.startTimeTracking.path, ['authorization', `Bearer 3${mode.length}`])).toEqual({ status: 500, body: { message: 'Internal Server Error' } });
    } finally {
      authorizerMode = 'ok';
    }
    const before = authorizerCalls;
    expect((await send('POST', routes.startTimeTracking.path, ['authorization', `Bearer 3${mode.length}`])).status).toBe(200);
    expect(authorizerCalls - before).toBe(1);
  });
});

describe('the authorizer cache bound', () => {
  it('evicts expired answers first, then the oldest, so that a flood of tokens cannot grow it', () => {
    let now = 0;
    const cache = createAuthorizerCache(3, () => now);
    const answer = { isAuthorized: true };
    cache.set('a', answer, 10);
    cache.set('b', answer, 1000);
    cache.set('c', answer, 1000);
    now = 20; // a expired
    cache.set('d', answer, 1000);
    expect([cache.get('a'), cache.get('b'), cache.get('d')]).toEqual([undefined, answer, answer]);
    for (let i = 0; i < 10_000; i++) cache.set(`flood-${i}`, answer, 1000);
    expect(cache.size).toBe(3);
    expect(cache.get('flood-9999')).toBe(answer);
  });
});
