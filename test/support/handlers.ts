import { exampleScopesOf, routeList, routes, splitInput, type Route, type RouteName } from '../../shared/contracts/routes.ts';
import { httpEvent, lambdaContext, parse, principalContext, type ParsedResponse } from './http-events.ts';

type Options = { caller?: number; scopes?: string; headers?: Record<string, string>; requestId?: string };
type Handler = (event: unknown, context: unknown) => Promise<unknown>;
/** A route called the way API Gateway would: each field where the route reads it (splitInput). */
export type RouteCaller = (input: Record<string, unknown>, options?: Options) => Promise<ParsedResponse>;

/**
 * Every HTTP function of the route table, imported after createTestTable() has set
 * TABLE_NAME, with callers that build its API Gateway event.
 */
export async function loadHandlers() {
  const handlers = Object.fromEntries(
    await Promise.all(routeList.map(async (route) => [route.name, (await import(`../../functions/${route.functionName}/handler.ts`)).handler as Handler] as const)),
  ) as Record<RouteName, Handler>;
  const callerOf =
    (route: Route): RouteCaller =>
    async (input, options = {}) => {
      const authorizer = principalContext(options.caller ?? 100, options.scopes ?? (route.scope === 'read' ? 'read' : exampleScopesOf(route)));
      const { path, query, body } = splitInput(route, input);
      const event = httpEvent({ method: route.method, path: route.path, pathParameters: path, query, body, headers: options.headers, requestId: options.requestId, authorizer });
      return parse((await handlers[route.name](event, lambdaContext())) as never);
    };
  const byRoute = Object.fromEntries(routeList.map((route) => [route.name, callerOf(route)])) as Record<RouteName, RouteCaller>;
  return {
    byRoute,
    handlers,
    start: byRoute.startTimeTracking,
    stop: byRoute.stopTimeTracking,
    current: byRoute.currentTracker,
    entries: byRoute.listTimeEntries,
    documentClient: (await import('../../shared/db/default-repositories.ts')).documentClient,
  };
}

export type Handlers = Awaited<ReturnType<typeof loadHandlers>>;
export { routes };
