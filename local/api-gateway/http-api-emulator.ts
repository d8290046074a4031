import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';

/**
 * Emulates API Gateway HTTP API in front of the real handlers: payload format 2.0 events,
 * the Lambda authorizer (simple responses) run first with its answer cached per
 * Authorization header, and API Gateway's own answers where it would answer itself
 * (docs/auth.md, "What API Gateway answers"):
 * - no Authorization header (the identity source) → 401 {"message":"Unauthorized"}, the
 *   authorizer is not called; two Authorization headers are refused the same way;
 * - the authorizer fails (throws, times out, answers something invalid) → 500
 *   {"message":"Internal Server Error"}, and nothing is cached: only answers are;
 * - unknown route → 404, body over 10 MiB → 413, the integration fails → 500, times out → 503.
 */
export type LambdaFunction = (event: any, context: Context) => Promise<unknown>;
/** A route as API Gateway holds it: its key, the function of its integration, and whether it runs without the authorizer (`NONE`). */
export type EmulatedRoute = { method: string; path: string; functionName: string; public?: boolean };
export type AuthorizerResult = { isAuthorized: boolean; context?: Record<string, unknown> };

export type EmulatorOptions = {
  routes: readonly EmulatedRoute[];
  functions: Record<string, LambdaFunction>;
  authorizer: (event: APIGatewayRequestAuthorizerEventV2) => Promise<AuthorizerResult>;
  authorizerCacheTtlSeconds: number;
  /** HTTP API's payload limit. */
  bodyLimitBytes?: number;
  functionTimeoutMs?: number;
  /** Per function (the template's Timeout); functionTimeoutMs otherwise. */
  functionTimeoutsMs?: Record<string, number>;
  /** The authorizer cache's bound; expired answers are evicted first, then the oldest. */
  authorizerCacheMaxEntries?: number;
  onRequest?: (line: { method: string; path: string; status: number; ms: number }) => void;
};

const TEN_MIB = 10 * 1024 * 1024;

class GatewayAnswer extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function createHttpApiEmulator(options: EmulatorOptions) {
  const byRouteKey = new Map(options.routes.map((route) => [`${route.method} ${route.path}`, route]));
  // Routes with {name} path parameters, matched segment by segment as HTTP APIs do.
  const templated = options.routes.filter((route) => route.path.includes('{')).map((route) => ({ route, pattern: new RegExp(`^${route.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`) }));
  const findRoute = (method: string, path: string): { route: EmulatedRoute; pathParameters?: Record<string, string> } | undefined => {
    const exact = byRouteKey.get(`${method} ${path}`);
    if (exact) return { route: exact };
    for (const { route, pattern } of templated) {
      const match = route.method === method ? pattern.exec(path) : null;
      if (match) return { route, pathParameters: Object.fromEntries(Object.entries(match.groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value)])) };
    }
    return undefined;
  };
  const cache = createAuthorizerCache(options.authorizerCacheMaxEntries ?? 10_000);
  const bodyLimit = options.bodyLimitBytes ?? TEN_MIB;

  async function authorize(event: APIGatewayProxyEventV2, authorization: string): Promise<AuthorizerResult> {
    const cached = cache.get(authorization);
    if (cached) return cached;
    const authorizerEvent: APIGatewayRequestAuthorizerEventV2 = {
      version: '2.0',
      type: 'REQUEST',
      routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${event.requestContext.http.method}${event.rawPath}`,
      identitySource: [authorization],
      routeKey: event.routeKey,
      rawPath: event.rawPath,
      rawQueryString: event.rawQueryString,
      cookies: event.cookies ?? [],
      headers: event.headers as Record<string, string>,
      queryStringParameters: event.queryStringParameters as Record<string, string> | undefined,
      requestContext: event.requestContext as unknown as APIGatewayRequestAuthorizerEventV2['requestContext'],
      pathParameters: {},
      stageVariables: {},
    };
    // A failed authorizer is API Gateway's 500, whatever the failure, and is never cached.
    const result = await invoke(options.authorizer as LambdaFunction, authorizerEvent, 'authorizer', 500);
    const answer = result as AuthorizerResult;
    if (typeof answer?.isAuthorized !== 'boolean') throw new GatewayAnswer(500, 'Internal Server Error');
    if (options.authorizerCacheTtlSeconds > 0) cache.set(authorization, answer, options.authorizerCacheTtlSeconds * 1000);
    return answer;
  }

  async function invoke(fn: LambdaFunction, event: unknown, functionName: string, timeoutStatus = 503): Promise<unknown> {
    const timeoutMs = options.functionTimeoutsMs?.[functionName] ?? options.functionTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    const context = lambdaContext(functionName, deadline);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new GatewayAnswer(timeoutStatus, timeoutStatus === 503 ? 'Service Unavailable' : 'Internal Server Error')), timeoutMs);
    });
    try {
      return await Promise.race([fn(event, context), timeout]);
    } catch (error) {
      if (error instanceof GatewayAnswer) throw error;
      // The function's host ended it at its timeout (the same deadline as the race above, whichever fires first).
      if ((error as { errorType?: string })?.errorType === 'Sandbox.Timedout') throw new GatewayAnswer(timeoutStatus, timeoutStatus === 503 ? 'Service Unavailable' : 'Internal Server Error');
      // A function that throws: API Gateway answers 500 and shows nothing of the error.
      throw new GatewayAnswer(500, 'Internal Server Error');
    } finally {
      clearTimeout(timer);
    }
  }

  return async function handleRequest(request: IncomingMessage, response: ServerResponse) {
    const started = Date.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const send = (status: number, headers: Record<string, string | string[]>, body: string | Buffer) => {
      response.writeHead(status, headers);
      response.end(body);
      options.onRequest?.({ method, path: url.pathname, status, ms: Date.now() - started });
    };
    const gatewayJson = (status: number, message: string) => send(status, { 'content-type': 'application/json', 'apigw-requestid': randomUUID() }, JSON.stringify({ message }));

    try {
      const found = findRoute(method, url.pathname);
      const route = found?.route;
      if (!found || !route) {
        request.resume();
        return gatewayJson(404, 'Not Found');
      }
      const body = await readBody(request, bodyLimit);
      const event = toEvent(request, url, route, body);
      if (found.pathParameters) (event as { pathParameters?: Record<string, string> }).pathParameters = found.pathParameters;
      if (route.public) {
        const result = await invoke(options.functions[route.functionName]!, event, route.functionName);
        const { status, headers, payload } = fromResult(result);
        return send(status, headers, payload);
      }
      const authorization = event.headers.authorization;
      // The identity source is missing (or ambiguous): API Gateway answers without calling the authorizer.
      if (!authorization || authorizationHeaderCount(request) > 1) return gatewayJson(401, 'Unauthorized');
      const authorized = await authorize(event, authorization);
      if (!authorized.isAuthorized) return gatewayJson(403, 'Forbidden');
      (event.requestContext as { authorizer?: unknown }).authorizer = { lambda: authorized.context ?? {} };
      const fn = options.functions[route.functionName];
      if (!fn) throw new GatewayAnswer(500, 'Internal Server Error');
      const result = await invoke(fn, event, route.functionName);
      const { status, headers, payload } = fromResult(result);
      return send(status, headers, payload);
    } catch (error) {
      if (error instanceof GatewayAnswer) return gatewayJson(error.status, error.message);
      return gatewayJson(500, 'Internal Server Error');
    }
  };
}

/** Node keeps only the first of repeated Authorization headers in `headers`; the raw list has them all. */
function authorizationHeaderCount(request: IncomingMessage): number {
  let count = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) if (request.rawHeaders[i]!.toLowerCase() === 'authorization') count++;
  return count;
}

/**
 * The authorizer's answers per Authorization header, for their TTL. Bounded, so that a
 * flood of random tokens cannot grow memory: expired answers go first, then the oldest.
 */
export function createAuthorizerCache(maxEntries: number, nowMs: () => number = Date.now) {
  const entries = new Map<string, { result: AuthorizerResult; expiresAt: number }>();
  return {
    get(key: string): AuthorizerResult | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt > nowMs()) return entry.result;
      entries.delete(key);
      return undefined;
    },
    set(key: string, result: AuthorizerResult, ttlMs: number) {
      entries.delete(key);
      if (entries.size >= maxEntries) {
        const now = nowMs();
        for (const [candidate, entry] of entries) if (entry.expiresAt <= now) entries.delete(candidate);
        while (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      }
      entries.set(key, { result, expiresAt: nowMs() + ttlMs });
    },
    get size() {
      return entries.size;
    },
  };
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      request.resume();
      return reject(new GatewayAnswer(413, 'Request Entity Too Large'));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new GatewayAnswer(413, 'Request Entity Too Large'));
      } else {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve(size === 0 ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const TEXT_TYPES = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/i;

/** The payload 2.0 event API Gateway would send. */
function toEvent(request: IncomingMessage, url: URL, route: EmulatedRoute, body: Buffer | undefined): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...String(value).split(/; */));
    else headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = body === undefined || TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(body === undefined ? {} : { body: isText ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: !isText,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/** Payload 2.0 response rules: a structured result, or anything else as a JSON body. */
function fromResult(result: unknown) {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    const structured = result as { statusCode: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean; cookies?: string[] };
    const headers: Record<string, string | string[]> = { ...(structured.headers ?? {}) };
    if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
    const payload = structured.body === undefined ? '' : structured.isBase64Encoded ? Buffer.from(structured.body, 'base64') : structured.body;
    return { status: structured.statusCode, headers, payload };
  }
  return { status: 200, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(result) };
}

/** The Lambda context an invocation gets, with its deadline (shared with the template runtime's workers). */
export function lambdaContext(functionName: string, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
