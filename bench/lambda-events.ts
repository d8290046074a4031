import { randomUUID } from 'node:crypto';

/** API Gateway HTTP API (2.0) events as the authorizer would hand them on, for the benches that call handlers in process. */
export function lambdaEvent(method: 'GET' | 'POST', path: string, caller: number, options: { body?: object; query?: Record<string, string> } = {}) {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query).toString(),
    ...(options.query ? { queryStringParameters: options.query } : {}),
    headers: options.body ? { 'content-type': 'application/json' } : {},
    ...(options.body ? { body: JSON.stringify(options.body) } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      authorizer: { lambda: { principal_id: String(caller), auth_method: 'jwt', scopes: 'read write', expires_at: Math.floor(Date.now() / 1000) + 3600 } },
    },
  };
}

export const lambdaContext = () => ({ awsRequestId: randomUUID(), functionName: 'bench', getRemainingTimeInMillis: () => 10_000, callbackWaitsForEmptyEventLoop: false });
