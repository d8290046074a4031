import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { AuthorizerContext } from '../../shared/auth/principal.ts';
import type { HttpEvent, HttpResult } from '../../shared/http/types.ts';

/** An API Gateway HTTP API (payload 2.0) event, as the authorizer would pass it on. */
export function httpEvent(options: {
  method?: string;
  path: string;
  body?: unknown;
  rawBody?: string;
  query?: Record<string, string>;
  /** Path parameters of a `{name}` route; `rawPath` gets them filled in. */
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  authorizer?: AuthorizerContext | null;
  requestId?: string;
}): HttpEvent {
  const method = options.method ?? 'POST';
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const query = options.query ?? {};
  const pathParameters = options.pathParameters ?? {};
  const rawPath = options.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(pathParameters[name] ?? name));
  return {
    version: '2.0',
    routeKey: `${method} ${options.path}`,
    rawPath,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: options.requestId ?? randomUUID(),
      routeKey: `${method} ${options.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(options.authorizer === null ? {} : { authorizer: { lambda: options.authorizer ?? principalContext(1) } }),
    },
  } as HttpEvent;
}

/** The authorizer context of a valid JWT for `userId`. */
export function principalContext(userId: number, scopes = 'read write', expiresInSeconds = 3600): AuthorizerContext {
  return {
    principal_id: String(userId),
    auth_method: 'jwt',
    scopes,
    expires_at: Math.floor(Date.now() / 1000) + expiresInSeconds,
  };
}

export function lambdaContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
    ...overrides,
  };
}

export type ParsedResponse = { status: number; headers: Record<string, string>; body: any };

export function parse(result: HttpResult | string | undefined): ParsedResponse {
  if (!result || typeof result === 'string') throw new Error(`unexpected handler result: ${String(result)}`);
  return {
    status: result.statusCode ?? 0,
    // Header names are case-insensitive; an HTTP client sees them lower-cased.
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)])),
    body: typeof result.body === 'string' ? JSON.parse(result.body) : result.body,
  };
}
