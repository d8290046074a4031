import type { ScopeRequirement } from '../auth/scopes.ts';

/**
 * What a route of the table declares (docs/architecture.md, "One source of truth per
 * contract"): the types every resource's routes (shared/contracts/routes/) are checked
 * against, and the helpers that read a route's example.
 */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Where a route's input comes from, in the order a request is read. */
export const INPUT_LOCATIONS = ['path', 'query', 'headers', 'body'] as const;
export type InputLocation = (typeof INPUT_LOCATIONS)[number];

/** A flat object schema: the only shape an input location has (top-level fields, cross-field rules as `allOf: [{ if, then }]`). */
export type InputSchema = {
  type: 'object';
  properties: Record<string, unknown>;
  required?: readonly string[];
  allOf?: ReadonlyArray<{ if?: { required?: readonly string[] }; then?: unknown }>;
};

export type RouteDefinition = {
  method: HttpMethod;
  /** May hold `{name}` path parameters, each declared in `input.path`. */
  path: string;
  /** Folder under functions/ holding the entry point `handler.ts`; also the Lambda's name. */
  functionName: string;
  /** Check 2: the scope the credential must hold (or any one of several). */
  scope: ScopeRequirement;
  /**
   * Who else may call it (check 5). Without it, a route acting on a member is for the
   * workspace's managers (owners, executive managers). With it, any member may call it for
   * themselves: when this input field is the caller's own user id, the use case is told so
   * (`forSelf`) and asks no managing role (their own tracker, whatever their role).
   * `id`: the route's id names its member first (`<user_id>_…`, a timesheet's).
   */
  selfService?: 'user_id' | 'id';
  /**
   * With `selfService`: only the member themself may call it, whatever their role (a time
   * request is one's own to make or cancel). Anyone else is refused before the use case
   * runs: 404 on a route of one id (nothing revealed), 403 otherwise.
   */
  selfOnly?: true;
  /** Accepts an `Idempotency-Key` header (its storage actions are added to the IAM policy). */
  idempotent: boolean;
  /** Exactly the DynamoDB actions the use case performs on the table (idempotency excluded). */
  dynamodbActions: readonly string[];
  /** The table's indexes it Queries (shared/db/table-definition.ts): its Query grant covers them too. */
  indexes?: readonly 'changes'[];
  /** One line for the OpenAPI document. */
  summary: string;
  /** The `outcome` dimension of a successful request's metric. */
  successOutcome: string;
  /**
   * The input by location. Path, query and body fields are merged into the use case's
   * input (a field name belongs to one location only); header fields (lower-case names)
   * are validated and passed apart. Query, path and header values are strings on the wire:
   * numeric ones are coerced, nothing else is.
   */
  input: { readonly [L in InputLocation]?: InputSchema };
  response: {
    /** 200 unless said (201 for a creation, 202 for what is queued to happen). */
    status?: 200 | 201 | 202;
    description: string;
    /** Sent as the envelope's `message` and as `data.message`. */
    message?: string;
    /** Headers the success answer carries: `etag` ("<version>" of the one entry answered), `location` (where a created one is read). */
    headers?: readonly ResponseHeader[];
    data: object;
    meta?: object;
    /** It also answers `text/csv; charset=utf-8` when asked with `Accept: text/csv`: what its rows are (the use case's spec builds them). */
    csv?: string;
  };
  /** Statuses the route answers besides the common ones (401, 403, 404, 422, 500, 503), with why. */
  errors?: Readonly<Record<string, string>>;
  /** It queues webhook deliveries: the function gets the delivery queue's URL and may send to it (infra). */
  sendsWebhooks?: true;
  /** Export jobs (docs/exports.md): `queue`, it queues them (the export queue's URL, SendMessage); `read`, it presigns downloads of its workspace's files (the bucket, GetObject on export files). */
  exportFiles?: 'queue' | 'read';
  /** It seals webhook secrets: the function gets the secrets' KMS key and may generate data keys under it, never decrypt (infra). */
  sealsWebhookSecrets?: true;
  /** The `error` code of the route's own 409 (its OpenAPI example): `time_entry_overlap` unless said. */
  conflictCode?: string;
  /**
   * One call that succeeds on the demo seed (local/demo-seed.json) for its owner, user 100.
   * It is the route's `sam local` fixture (events/<function>.json, generated), its OpenAPI
   * example, and the scenario of the route-driven tests (the fault on every DynamoDB call).
   */
  example: RouteExample;
};

/** The user a self-service route's input names (`selfService`): its `user_id`, or its id's leading user id. */
export function selfUserOf(route: Pick<RouteDefinition, 'selfService'>, input: Readonly<Record<string, unknown>>): number | undefined {
  if (route.selfService === 'user_id') return typeof input.user_id === 'number' ? input.user_id : undefined;
  if (route.selfService === 'id') {
    const match = /^([1-9]\d{0,15})_/.exec(String(input.id ?? ''));
    return match ? Number(match[1]) : undefined;
  }
  return undefined;
}

export const RESPONSE_HEADERS = ['etag', 'location'] as const;
export type ResponseHeader = (typeof RESPONSE_HEADERS)[number];

export type RouteExample = {
  /** A route whose example runs first, so that this one has what it acts on (a tracker to stop, a webhook to delete). */
  after?: string;
  /** The flat input (each field goes where the route reads it); these values are the fixture's. */
  input: Readonly<Record<string, unknown>>;
  /** Fields that, run live, take a value of the `after` route's answer (a dotted path into its body). */
  fromAfter?: Readonly<Record<string, string>>;
  /** Fields that, run live, are today's date (UTC, YYYY-MM-DD). */
  today?: readonly string[];
  /** Fields that, run live, are the time an hour ago (UTC, ISO 8601 to the second). */
  hourAgo?: readonly string[];
  /** The scopes of the credential it runs with, when not `read write` (a platform credential's `directory`). */
  scopes?: string;
  /** The kind of credential it runs with, when not the demo seed's API key (only a JWT makes API keys). */
  credential?: 'jwt';
  /** The user it runs as, when not the demo seed's owner (100): an invitation is accepted by whom it invites. */
  caller?: number;
};

/** The scopes of the credential a route's example runs with (fixtures, route-driven tests). */
export const exampleScopesOf = (route: { example: RouteExample }) => route.example.scopes ?? 'read write';
/** The user a route's example runs as (fixtures, route-driven tests): the demo seed's owner unless said. */
export const EXAMPLE_OWNER = 100;
export const exampleCallerOf = (route: { example: RouteExample }) => route.example.caller ?? EXAMPLE_OWNER;
/** The kind of credential a route's example runs with (fixtures, route-driven tests): the demo seed's API key unless said. */
export const exampleCredentialOf = (route: { example: RouteExample }) => route.example.credential ?? 'api_key';

/** What an `Idempotency-Key` costs: the record is claimed (PutItem) and released (DeleteItem). */
export const IDEMPOTENCY_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;
