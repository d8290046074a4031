import { inputSchemaOf, routeList, routes, type Route, type RouteName } from '../../shared/contracts/routes.ts';
import { httpEvent, lambdaContext, parse, principalContext, type ParsedResponse } from './http-events.ts';

/**
 * A flat input split where the route reads each field: path parameters into the path,
 * query fields into the query string (as strings), the rest into the JSON body.
 */
export function splitInput(route: Route, input: Record<string, unknown>) {
  const declared = (location: 'path' | 'query') => new Set(Object.keys(inputSchemaOf(route, location)?.properties ?? {}));
  const inPath = declared('path');
  const inQuery = declared('query');
  const path: Record<string, string> = {};
  const query: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (inPath.has(field)) path[field] = String(value);
    else if (inQuery.has(field) || !inputSchemaOf(route, 'body')) query[field] = String(value);
    else body[field] = value;
  }
  const concretePath = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(path[name] ?? `missing-${name}`));
  return { path, query, body: inputSchemaOf(route, 'body') ? body : undefined, concretePath };
}

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
  const callerOf = (route: Route): RouteCaller => async (input, options = {}) => {
    const authorizer = principalContext(options.caller ?? 100, options.scopes ?? (route.scope === 'read' ? 'read' : 'read write'));
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
