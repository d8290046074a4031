import { API_VERSION } from '../http/envelope.ts';
import { routes } from '../http/routes.ts';
import { currentTrackerQuerySchema, startTimeTrackingBodySchema, stopTimeTrackingBodySchema, timeEntriesQuerySchema } from './request-schemas.ts';

/**
 * The OpenAPI 3.1 document of the API, built from the same request schemas the validators
 * are compiled from and the same route table the runtimes use. Served at /openapi.json by
 * the local runtime and written to openapi.json by `npm run build:validators`.
 */
const timestamp = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\+00:00$', examples: ['2024-01-15T10:30:00+00:00'] };
const nullableInt = { type: ['integer', 'null'] };
const nullableString = { type: ['string', 'null'] };

const meta = {
  type: 'object',
  required: ['api_version', 'timestamp'],
  properties: { api_version: { const: API_VERSION }, timestamp },
};

const success = (data: object, extraMeta?: object) => ({
  type: 'object',
  required: ['success', 'data', 'meta'],
  properties: {
    success: { const: true },
    message: { type: 'string' },
    data,
    meta: extraMeta ? { allOf: [meta, extraMeta] } : meta,
  },
});

const trackerFields = {
  start_time: timestamp,
  workspace_id: { type: 'integer' },
  user_id: { type: 'integer' },
  contract_id: nullableInt,
  project_id: nullableInt,
  task_id: nullableInt,
  activity_description: nullableString,
};

const timeEntry = {
  type: 'object',
  required: ['id', 'user_id', 'contract_id', 'project_id', 'task_id', 'activity_description', 'start_time', 'end_time', 'duration_seconds'],
  properties: {
    id: { type: 'string' },
    user_id: { type: 'integer' },
    contract_id: nullableInt,
    project_id: nullableInt,
    task_id: nullableInt,
    activity_description: nullableString,
    start_time: timestamp,
    end_time: timestamp,
    duration_seconds: { type: 'integer', minimum: 0 },
  },
};

export const componentSchemas = {
  Meta: meta,
  Error: {
    type: 'object',
    required: ['success', 'message', 'error', 'meta'],
    properties: { success: { const: false }, message: { type: 'string' }, error: { type: ['string', 'null'] }, meta },
  },
  /** API Gateway's own answers (no Authorization header, throttled stage, …): not the envelope. */
  GatewayError: {
    type: 'object',
    required: ['message'],
    properties: { message: { type: 'string' } },
  },
  ValidationError: {
    type: 'object',
    required: ['success', 'message', 'errors', 'meta'],
    properties: {
      success: { const: false },
      message: { const: 'Validation failed' },
      errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 } },
      meta,
    },
  },
  StartTimeTrackingRequest: startTimeTrackingBodySchema,
  StopTimeTrackingRequest: stopTimeTrackingBodySchema,
  StartTimeTrackingResponse: success({
    type: 'object',
    required: ['message', 'start_time', 'contract_id', 'project_id', 'task_id', 'activity_description'],
    properties: { message: { const: 'Time tracking started successfully' }, ...trackerFields },
  }),
  StopTimeTrackingResponse: success({
    type: 'object',
    required: ['message', 'stopped_at', 'start_time', 'duration_seconds', 'time_entry_id', 'contract_id', 'project_id', 'task_id', 'activity_description'],
    properties: {
      message: { const: 'Time tracking stopped successfully' },
      stopped_at: timestamp,
      start_time: timestamp,
      duration_seconds: { type: 'integer', minimum: 0 },
      time_entry_id: { type: 'string' },
      user_id: { type: 'integer' },
      contract_id: nullableInt,
      project_id: nullableInt,
      task_id: nullableInt,
      activity_description: nullableString,
    },
  }),
  CurrentTrackerResponse: success({
    type: 'object',
    required: ['is_tracking'],
    properties: { is_tracking: { type: 'boolean' }, ...trackerFields, total_seconds: { type: 'integer', minimum: 0 } },
  }),
  TimeEntriesResponse: success(
    { type: 'array', items: timeEntry },
    {
      type: 'object',
      required: ['pagination'],
      properties: {
        pagination: {
          type: 'object',
          required: ['total', 'per_page', 'current_page', 'last_page'],
          properties: {
            total: { type: 'integer', minimum: 0 },
            per_page: { type: 'integer', minimum: 1 },
            current_page: { type: 'integer', minimum: 1 },
            last_page: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
  ),
} as const;

const ref = (name: keyof typeof componentSchemas) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, description: string, headers?: object) => ({ description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } });

const errorResponses = (extra: Record<string, string>) => ({
  '401': json(
    { anyOf: [ref('Error'), ref('GatewayError')] },
    'Invalid or expired credentials ("Unauthenticated." in the envelope); without an Authorization header API Gateway itself answers {"message":"Unauthorized"}.',
  ),
  '403': json(ref('Error'), 'The credential lacks the scope, or the caller does not manage the workspace.'),
  '404': json(ref('Error'), 'The user is not an active member of the workspace (or a referenced record is not in it).'),
  '422': json(ref('ValidationError'), 'A field is missing, mistyped or out of range; messages per field.'),
  '500': json(ref('Error'), 'Unexpected error (generic message).'),
  '503': json(ref('Error'), 'DynamoDB throttled or unavailable: retry after the given delay.', {
    'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before retrying.' },
  }),
  ...Object.fromEntries(Object.entries(extra).map(([status, description]) => [status, json(ref(status === '422' ? 'ValidationError' : 'Error'), description)])),
});

const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Replays the first response for 24 hours when sent again with the same body by the same caller; another body → 422, while the first is running → 409.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

const queryParameters = (schema: { required: readonly string[]; properties: Record<string, object> }) =>
  Object.entries(schema.properties).map(([name, property]) => ({ name, in: 'query', required: schema.required.includes(name), schema: property }));

const security = [{ oauth2: [] as string[] }, { apiKey: [] as string[] }];
const scoped = (scope: string) => [{ oauth2: [scope] }, { apiKey: [] as string[] }];

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Time Tracking API',
    version: API_VERSION,
    description: 'The time-tracking endpoints of the workforce tracker REST API. Only owners and executive managers of a workspace may use them.',
  },
  servers: [{ url: '/' }],
  security,
  paths: {
    [routes.startTimeTracking.path]: {
      post: {
        operationId: 'startTimeTracking',
        summary: 'Clock a workspace member in',
        security: scoped(routes.startTimeTracking.scope),
        parameters: [idempotencyKey],
        requestBody: { required: true, content: { 'application/json': { schema: ref('StartTimeTrackingRequest') } } },
        responses: {
          '200': json(ref('StartTimeTrackingResponse'), 'Time tracking started.'),
          ...errorResponses({ '400': 'Not a JSON object, or the user already has an active tracker.', '409': 'The Idempotency-Key is in use by a running request.' }),
        },
      },
    },
    [routes.stopTimeTracking.path]: {
      post: {
        operationId: 'stopTimeTracking',
        summary: "Clock a member out: the active tracker becomes a time entry",
        security: scoped(routes.stopTimeTracking.scope),
        parameters: [idempotencyKey],
        requestBody: { required: true, content: { 'application/json': { schema: ref('StopTimeTrackingRequest') } } },
        responses: {
          '200': json(ref('StopTimeTrackingResponse'), 'Time tracking stopped.'),
          ...errorResponses({ '400': 'Not a JSON object, or no active tracker in this workspace.', '409': 'The Idempotency-Key is in use by a running request.' }),
        },
      },
    },
    [routes.currentTracker.path]: {
      get: {
        operationId: 'currentTracker',
        summary: "A member's running tracker in the workspace",
        security: scoped(routes.currentTracker.scope),
        parameters: queryParameters(currentTrackerQuerySchema),
        responses: { '200': json(ref('CurrentTrackerResponse'), 'Whether the member is tracking, and the tracker.'), ...errorResponses({}) },
      },
    },
    [routes.listTimeEntries.path]: {
      get: {
        operationId: 'listTimeEntries',
        summary: 'Completed time entries that started on one UTC day, newest first',
        security: scoped(routes.listTimeEntries.scope),
        parameters: queryParameters(timeEntriesQuerySchema),
        responses: { '200': json(ref('TimeEntriesResponse'), 'One page of entries.'), ...errorResponses({}) },
      },
    },
  },
  components: {
    schemas: componentSchemas,
    securitySchemes: {
      oauth2: {
        type: 'oauth2',
        description: 'OAuth2 access token (JWT) as `Authorization: Bearer <token>`; scopes in the `scope` claim.',
        flows: {
          clientCredentials: {
            tokenUrl: 'https://auth.example.com/oauth/token',
            scopes: { read: 'Read time tracking data', write: 'Start and stop trackers', admin: 'Everything' },
          },
        },
      },
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'ttk_<43 base64url characters>',
        description: 'Personal access token as `Authorization: Bearer ttk_…`, with the scopes it was created with.',
      },
    },
  },
} as const;
