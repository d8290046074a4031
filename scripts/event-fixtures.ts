import { exampleCallerOf, exampleCredentialOf, exampleScopesOf, routeKey, splitInput, type Route } from '../shared/contracts/routes.ts';

/**
 * The `sam local invoke` fixture of a route (events/<function>.json), generated from its
 * example: the API Gateway HTTP API (payload 2.0) event its function receives, as the
 * authorizer passes it on for the demo seed's API key (user 100, an owner), or for the
 * JWT of the user the example names (an invited user accepts their invitation).
 */
const DEMO_API_KEY = 'ttk_AIdzcn7iUhUC6NbpRPZKCrREPZUSIewojOab0pTs-u4';
const HOST = 'abcdef1234.execute-api.us-east-1.amazonaws.com';
/** What the header of a route run with a JWT shows (the function reads the authorizer's context, never the header). */
const DEMO_JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMDAifQ.signature';

export function eventFixtureOf(route: Route, index: number) {
  const { path, query, body, concretePath } = splitInput(route, route.example.input);
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: concretePath,
    rawQueryString,
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${route.example && exampleCredentialOf(route) === 'jwt' ? DEMO_JWT : DEMO_API_KEY}`,
      'content-type': 'application/json',
      host: HOST,
      'user-agent': 'curl/8.5.0',
      'x-forwarded-for': '203.0.113.10',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(path).length > 0 ? { pathParameters: path } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      authorizer: { lambda: { principal_id: String(route.example ? exampleCallerOf(route) : 100), auth_method: exampleCredentialOf(route), scopes: exampleScopesOf(route) } },
      domainName: HOST,
      domainPrefix: 'abcdef1234',
      http: { method: route.method, path: concretePath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'curl/8.5.0' },
      requestId: `8d1f0c3e-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
      routeKey: routeKey(route),
      stage: '$default',
      time: '15/Jan/2024:10:30:00 +0000',
      timeEpoch: 1705314600000,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

/** The fixture of a public route (no authorizer context): the docs function's. */
export function publicEventFixtureOf(route: { method: string; path: string }, index: number) {
  const event = eventFixtureOf({ ...({} as Route), method: route.method as Route['method'], path: route.path as Route['path'], input: {}, example: { input: {} } } as unknown as Route, index);
  const { authorizer: _authorizer, ...requestContext } = event.requestContext;
  const { authorization: _authorization, ...headers } = event.headers;
  return { ...event, headers, requestContext };
}
