import { trackingRoutes } from './routes/tracking.ts';
import { timeEntryRoutes } from './routes/time-entries.ts';
import { workspaceSettingsRoutes } from './routes/workspace-settings.ts';
import { directoryRoutes } from './routes/directory.ts';
import { invitationRoutes } from './routes/invitations.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { HTTP_METHODS, IDEMPOTENCY_ACTIONS, INPUT_LOCATIONS, type InputLocation, type InputSchema, type RouteDefinition } from './route-definition.ts';

export * from './route-definition.ts';

/**
 * The route table: the one source of truth for every route's method, path, function,
 * scope (check 2), idempotency, DynamoDB permissions, request and response schemas and
 * success message. The handlers (validation, envelope), the local runtime (routing), the
 * CDK stack (routes, functions, least-privilege IAM), the OpenAPI document, the validators
 * and the test lists are all derived from it. See docs/architecture.md.
 */
const table = { ...trackingRoutes, ...timeEntryRoutes, ...workspaceSettingsRoutes, ...directoryRoutes, ...invitationRoutes, ...apiKeyRoutes, ...webhookRoutes } as const satisfies Record<
  string,
  RouteDefinition
>;

export type RouteName = keyof typeof table;
export type Route<N extends RouteName = RouteName> = (typeof table)[N] & { name: N };

/** Each route carries its own name (the operationId, the validator's name). */
export const routes = Object.fromEntries(Object.entries(table).map(([name, route]) => [name, { ...route, name }])) as {
  [N in RouteName]: Route<N>;
};

export const routeList: readonly Route[] = Object.values(routes);

/** The routes whose function queues webhook deliveries, and those whose function seals webhook secrets: infra gives them the queue and the key. */
export const webhookSenderRoutes = routeList.filter((route: RouteDefinition) => route.sendsWebhooks === true);
export const secretSealerRoutes = routeList.filter((route: RouteDefinition) => route.sealsWebhookSecrets === true);

export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

/** The `{name}` parameters of a path, in order. */
export const pathParametersOf = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);

/** The locations a route reads, in the order a request is read. */
export const inputLocationsOf = (route: Pick<RouteDefinition, 'input'>) => INPUT_LOCATIONS.filter((location) => route.input[location] !== undefined);

/** One location's schema of any route (the table's literal types name only the locations each route has). */
export const inputSchemaOf = (route: Pick<RouteDefinition, 'input'>, location: InputLocation): InputSchema | undefined => route.input[location];

/** The generated validator of one location of a route (shared/contracts/generated/validators.js). */
export const validatorName = (routeName: string, location: InputLocation) => `${routeName}_${location}`;

/**
 * What the table must hold for everything derived from it to be right; `npm run
 * build:contracts` refuses a table that breaks it (and a unit test runs it).
 */
export function routeTableProblems(list: readonly (RouteDefinition & { name: string })[]): string[] {
  const problems: string[] = [];
  const keysSeen = new Set<string>();
  for (const route of list) {
    const key = routeKey(route);
    if (keysSeen.has(key)) problems.push(`${key} is declared twice`);
    keysSeen.add(key);
    const declared = Object.keys(route.input.path?.properties ?? {});
    const inPath = pathParametersOf(route.path);
    if (declared.sort().join() !== [...inPath].sort().join())
      problems.push(`${key}: input.path must declare exactly the path parameters ${JSON.stringify(inPath)}, declares ${JSON.stringify(declared)}`);
    if (route.input.body && route.method === 'GET') problems.push(`${key}: a GET has no body`);
    const owner = new Map<string, InputLocation>();
    for (const location of ['path', 'query', 'body'] as const) {
      for (const field of Object.keys(route.input[location]?.properties ?? {})) {
        const other = owner.get(field);
        if (other) problems.push(`${key}: field ${field} is in both ${other} and ${location}`);
        owner.set(field, location);
      }
    }
    for (const header of Object.keys(route.input.headers?.properties ?? {})) {
      if (header !== header.toLowerCase()) problems.push(`${key}: header ${header} must be declared in lower case`);
    }
    const { example } = route;
    for (const field of [...Object.keys(example.input), ...Object.keys(example.fromAfter ?? {}), ...(example.today ?? []), ...(example.hourAgo ?? [])]) {
      if (!owner.has(field)) problems.push(`${key}: the example's field ${field} is not a path, query or body field of the route`);
    }
    if (example.after !== undefined && !list.some((other) => other.name === example.after)) problems.push(`${key}: the example runs after ${example.after}, which is no route`);
    if (example.fromAfter && example.after === undefined) problems.push(`${key}: the example takes fields from the answer of no route (set after)`);
    const seen = new Set<string>([route.name]);
    for (let next = example.after; next !== undefined; next = list.find((other) => other.name === next)?.example.after) {
      if (seen.has(next)) {
        problems.push(`${key}: the examples run after each other in a cycle (${[...seen, next].join(' → ')})`);
        break;
      }
      seen.add(next);
    }
  }
  return problems;
}

/**
 * A flat input split where the route reads each field: path parameters, query fields (as
 * the strings they are on the wire) and the rest as the JSON body; the path with its
 * parameters filled in.
 */
export function splitInput(route: Pick<RouteDefinition, 'input' | 'path'>, input: Readonly<Record<string, unknown>>) {
  const declared = (location: 'path' | 'query') => new Set(Object.keys(route.input[location]?.properties ?? {}));
  const inPath = declared('path');
  const inQuery = declared('query');
  const path: Record<string, string> = {};
  const query: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input)) {
    if (inPath.has(field)) path[field] = String(value);
    else if (inQuery.has(field) || !route.input.body) query[field] = String(value);
    else body[field] = value;
  }
  const concretePath = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(path[name] ?? `missing-${name}`));
  return { path, query, body: route.input.body ? body : undefined, concretePath };
}

/** What the per-user rate limit costs every route: one counter update per request. */
export const RATE_LIMIT_ACTIONS = ['dynamodb:UpdateItem'] as const;

/** Every DynamoDB action a route's function needs: its own, idempotency's when it takes keys, the rate limit's when it is on. */
export function dynamodbActionsOf(route: Pick<RouteDefinition, 'dynamodbActions' | 'idempotent'>, options: { rateLimited: boolean }): string[] {
  return [...new Set([...route.dynamodbActions, ...(route.idempotent ? IDEMPOTENCY_ACTIONS : []), ...(options.rateLimited ? RATE_LIMIT_ACTIONS : [])])].sort();
}

/** The authorizer is no route, but it is a function with its own narrow permissions. */
export const authorizerFunction = { functionName: 'authorizer', dynamodbActions: ['dynamodb:GetItem'] } as const;

export { publicRoutes } from './public-routes.ts';
export const docsFunction = { functionName: 'docs', dynamodbActions: [] } as const;

/** Every Lambda function of the service, by folder name under functions/. */
export const functionNames: readonly string[] = [authorizerFunction.functionName, ...routeList.map((route) => route.functionName), docsFunction.functionName];

/**
 * The webhook pipeline's functions (docs/webhooks.md): not routes, each with its own narrow
 * permissions. The fan-out reads the table's stream and queues one delivery per
 * subscription; the delivery function sends them, and delays retries on the queue.
 */
export const webhookFunctions = {
  // The webhooks of the workspace (Query); each delivery kept in its webhook's log (BatchWriteItem) before it is queued.
  fanOut: { functionName: 'webhook-fan-out', dynamodbActions: ['dynamodb:BatchWriteItem', 'dynamodb:Query'] },
  // The webhook (GetItem) and its creator's membership (BatchGetItem); each attempt logged (PutItem); UpdateItem: its failing
  // record, or turning it off (410 Gone, its creator's access, 5 days of failures); a replay step reads the log (Query).
  delivery: { functionName: 'webhook-delivery', dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'] },
} as const;

/**
 * Forgotten trackers (docs/architecture.md "Auto-stop"): not routes. The schedules function
 * reads the table's stream and keeps one EventBridge Scheduler schedule per tracker that has
 * a limit (it touches no table item); the auto-stop function is what a schedule invokes.
 */
export const autoStopFunctions = {
  schedules: { functionName: 'auto-stop-schedules', dynamodbActions: [] },
  // A batch read (the tracker), then the stop's transaction: DeleteItem (tracker, mark), PutItem (entry copies, version), UpdateItem (spans, counts).
  autoStop: { functionName: 'auto-stop', dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] },
} as const;

/** Response headers a browser client may read (CORS `exposeHeaders`): every header the service sets for clients. */
export const CLIENT_RESPONSE_HEADERS = ['retry-after', 'idempotent-replayed', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'etag', 'location'] as const;

/**
 * The browser-facing CORS policy every route needs (the stack applies it when origins are
 * configured): every method a route uses, and every request header one reads.
 */
export function corsPolicyOf(list: readonly RouteDefinition[]) {
  const methods = HTTP_METHODS.filter((method) => list.some((route) => route.method === method));
  const headers = new Set<string>(['authorization', 'content-type']);
  for (const route of list) {
    if (route.idempotent) headers.add('idempotency-key');
    for (const header of Object.keys(route.input.headers?.properties ?? {})) headers.add(header);
  }
  return { allowMethods: methods, allowHeaders: [...headers], exposeHeaders: [...CLIENT_RESPONSE_HEADERS] };
}
