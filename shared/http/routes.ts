import type { Scope } from '../auth/scopes.ts';

/**
 * The route table: one source of truth for the handlers (scope), the local runtime
 * (routing) and the CDK stack (routes, functions, least-privilege DynamoDB actions).
 */
export type RouteDefinition = {
  method: 'GET' | 'POST';
  path: string;
  /** Folder under functions/ holding the entry point `handler.ts`. */
  functionName: string;
  scope: Scope;
  /** Accepts an `Idempotency-Key` header. */
  idempotent: boolean;
  /** Exactly the DynamoDB actions the function performs on the table. */
  dynamodbActions: readonly string[];
};

const IDEMPOTENCY_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

export const routes = {
  startTimeTracking: {
    method: 'POST',
    path: '/time-tracking/start',
    functionName: 'start-time-tracking',
    scope: 'write',
    idempotent: true,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
  },
  stopTimeTracking: {
    method: 'POST',
    path: '/time-tracking/stop',
    functionName: 'stop-time-tracking',
    scope: 'write',
    idempotent: true,
    // TransactWriteItems is authorized per item action: DeleteItem + PutItem.
    dynamodbActions: ['dynamodb:BatchGetItem', ...IDEMPOTENCY_ACTIONS],
  },
  currentTracker: {
    method: 'GET',
    path: '/time-tracking/current-data',
    functionName: 'current-tracker',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem'],
  },
  listTimeEntries: {
    method: 'GET',
    path: '/time-entries',
    functionName: 'list-time-entries',
    scope: 'read',
    idempotent: false,
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
  },
} as const satisfies Record<string, RouteDefinition>;

export const routeList: readonly RouteDefinition[] = Object.values(routes);

export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

/** The authorizer is no route, but it is a function with its own narrow permissions. */
export const authorizerFunction = { functionName: 'authorizer', dynamodbActions: ['dynamodb:GetItem'] } as const;
