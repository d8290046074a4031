import { httpEvent, lambdaContext, parse, principalContext } from './http-events.ts';

/**
 * Every HTTP function, imported after createTestTable() has set TABLE_NAME, with helpers
 * that call them the way API Gateway would.
 */
export async function loadHandlers() {
  const [start, stop, current, entries, repositories] = await Promise.all([
    import('../../functions/start-time-tracking/handler.ts'),
    import('../../functions/stop-time-tracking/handler.ts'),
    import('../../functions/current-tracker/handler.ts'),
    import('../../functions/list-time-entries/handler.ts'),
    import('../../shared/db/default-repositories.ts'),
  ]);
  type Options = { caller?: number; scopes?: string; headers?: Record<string, string>; requestId?: string };
  const post = (handler: typeof start.handler, path: string) => async (body: unknown, options: Options = {}) =>
    parse(
      await handler(
        httpEvent({ path, body, headers: options.headers, requestId: options.requestId, authorizer: principalContext(options.caller ?? 100, options.scopes ?? 'read write') }),
        lambdaContext(),
      ),
    );
  const get = (handler: typeof start.handler, path: string) => async (query: Record<string, string | number>, options: Options = {}) =>
    parse(
      await handler(
        httpEvent({
          method: 'GET',
          path,
          query: Object.fromEntries(Object.entries(query).map(([key, value]) => [key, String(value)])),
          headers: options.headers,
          authorizer: principalContext(options.caller ?? 100, options.scopes ?? 'read'),
        }),
        lambdaContext(),
      ),
    );
  return {
    start: post(start.handler, '/time-tracking/start'),
    stop: post(stop.handler, '/time-tracking/stop'),
    current: get(current.handler, '/time-tracking/current-data'),
    entries: get(entries.handler, '/time-entries'),
    documentClient: repositories.documentClient,
  };
}

export type Handlers = Awaited<ReturnType<typeof loadHandlers>>;
