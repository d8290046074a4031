import { API_VERSION } from './api-version.ts';
import { requiredScopes } from '../auth/scopes.ts';
import { inputSchemaOf, routeList, splitInput, type ResponseHeader, type Route } from './routes.ts';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_DESCRIPTION, webhookEventRegistry, webhookPayloadSchema, webhookTestPayloadSchema } from './webhook-events.ts';
import { timestampSchema } from './schemas.ts';

/**
 * The OpenAPI 3.1 document of the API, generated from the route table and the schemas it
 * names: nothing here is written per route. Served at /openapi.json by the local runtime
 * and written to openapi.json by `npm run build:contracts` (checked by `npm test`).
 */
const meta = {
  type: 'object',
  required: ['api_version', 'timestamp'],
  properties: { api_version: { const: API_VERSION }, timestamp: timestampSchema },
};

const envelopeSchemas = {
  Meta: meta,
  Error: {
    type: 'object',
    required: ['success', 'message', 'error', 'meta'],
    properties: { success: { const: false }, message: { type: 'string' }, error: { type: ['string', 'null'] }, meta },
  },
  /** API Gateway's own answers (no Authorization header, authorizer failure, throttled stage, …): not the envelope. */
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
};

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const json = (schema: object, description: string, headers?: object, example?: unknown) => ({
  description,
  ...(headers && Object.keys(headers).length > 0 ? { headers } : {}),
  content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } },
});

/**
 * The response headers a client can rely on (components.headers), on the responses that
 * carry them. `required` ones are on every such response; the others when they apply (the
 * rate limit is on; the answer is a replay).
 */
const responseHeaders = {
  RetryAfter: { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'integer', minimum: 0 } },
  RetryAfterIfKnown: { description: 'Seconds to wait before retrying, when the service says (API Gateway’s own 503 on a timeout has none).', required: false, schema: { type: 'integer', minimum: 0 } },
  RateLimitLimit: { description: 'Requests allowed per window and user (when the per-user rate limit is on).', required: false, schema: { type: 'integer', minimum: 0 } },
  RateLimitRemaining: { description: 'Requests left in the current window.', required: false, schema: { type: 'integer', minimum: 0 } },
  RateLimitReset: { description: 'Seconds until the window resets.', required: false, schema: { type: 'integer', minimum: 0 } },
  IdempotentReplayed: { description: '`true` when the answer is the stored answer of an earlier request with the same Idempotency-Key.', required: false, schema: { const: 'true' } },
  ETag: { description: 'The version of the entry answered, quoted (`"3"`): send it as If-Match to change exactly that version.', required: true, schema: { type: 'string', pattern: '^"[0-9]+"$' } },
  Location: { description: 'Where the created entry is read (`/time-entries/{id}?workspace_id=…`).', required: true, schema: { type: 'string' } },
} as const;
/** Header name as sent → its component. */
export const RESPONSE_HEADER_NAMES = {
  'Retry-After': 'RetryAfter',
  'RateLimit-Limit': 'RateLimitLimit',
  'RateLimit-Remaining': 'RateLimitRemaining',
  'RateLimit-Reset': 'RateLimitReset',
  'Idempotent-Replayed': 'IdempotentReplayed',
  ETag: 'ETag',
  Location: 'Location',
} as const;
/** A route's declared success headers (`response.headers`) as the document names them. */
const ROUTE_RESPONSE_HEADERS: Record<ResponseHeader, keyof typeof RESPONSE_HEADER_NAMES> = { etag: 'ETag', location: 'Location' };
/** The error code each route-specific status answers with, for the examples. */
const ERROR_CODE_EXAMPLES: Record<string, string> = { '400': 'bad_request', '409': 'time_entry_overlap', '412': 'precondition_failed', '422': 'report_too_large' };
const rateLimitHeaders = { 'RateLimit-Limit': headerRef('RateLimitLimit'), 'RateLimit-Remaining': headerRef('RateLimitRemaining'), 'RateLimit-Reset': headerRef('RateLimitReset') };

/** The success envelope around a route's `data` (and `meta` extras), its message pinned. */
function successSchema(route: Route) {
  const { data, message, meta: extraMeta } = route.response as Route['response'] & { message?: string; meta?: object };
  const pinned = message === undefined ? data : { allOf: [data, { properties: { message: { const: message } } }] };
  return {
    type: 'object',
    required: ['success', 'data', 'meta'],
    properties: {
      success: { const: true },
      message: message === undefined ? { type: 'string' } : { const: message },
      data: pinned,
      meta: extraMeta ? { allOf: [ref('Meta'), extraMeta] } : ref('Meta'),
    },
  };
}

const EXAMPLE_META = { api_version: API_VERSION, timestamp: '2024-01-15T10:30:00+00:00' };

/** The answers every operation shares, the same on each (components.responses): declared once, referred to by each operation. */
const sharedResponses = {
  Unauthenticated: json(
    { anyOf: [ref('Error'), ref('GatewayError')] },
    'Invalid or expired credentials ("Unauthenticated." in the envelope); without an Authorization header API Gateway itself answers {"message":"Unauthorized"}.',
    undefined,
    { success: false, message: 'Unauthenticated.', error: 'unauthenticated', meta: EXAMPLE_META },
  ),
  TooManyRequests: json(
    ref('Error'),
    'Over the per-user rate limit: nothing ran; retry after the given delay.',
    { 'Retry-After': headerRef('RetryAfter'), ...rateLimitHeaders },
    {
      success: false,
      message: 'Too many requests. Retry after the time given in Retry-After.',
      error: 'rate_limited',
      meta: EXAMPLE_META,
    },
  ),
  InternalError: json(
    { anyOf: [ref('Error'), ref('GatewayError')] },
    'Unexpected error (generic message); API Gateway answers {"message":"Internal Server Error"} when the authorizer cannot reach its dependencies: retry.',
    // The function's own answer, once the caller was counted, carries the rate limit's headers (API Gateway's does not).
    rateLimitHeaders,
    { success: false, message: 'Server Error.', error: 'internal_error', meta: EXAMPLE_META },
  ),
  ServiceUnavailable: json(
    { anyOf: [ref('Error'), ref('GatewayError')] },
    'DynamoDB throttled or unavailable, or the function timed out (API Gateway’s {"message":"Service Unavailable"}): retry after the given delay.',
    { 'Retry-After': headerRef('RetryAfterIfKnown'), ...rateLimitHeaders },
    { success: false, message: 'The service is temporarily unavailable. Please retry shortly.', error: 'service_unavailable', meta: EXAMPLE_META },
  ),
  PayloadTooLarge: json(ref('GatewayError'), 'The body is over API Gateway’s 10 MiB payload limit (API Gateway answers itself).', undefined, { message: 'Request Entity Too Large' }),
};
const responseRef = (name: keyof typeof sharedResponses) => ({ $ref: `#/components/responses/${name}` });

/** A route that answers CSV too (`response.csv`) declares `text/csv` beside its JSON, with the rows it holds and its Content-Disposition. */
function withCsv(route: Route, response: ReturnType<typeof json>) {
  const csv = (route.response as { csv?: string }).csv;
  if (csv === undefined) return response;
  return {
    ...response,
    description: `${response.description} With \`Accept: text/csv\`: RFC 4180 text with a header row, as an attachment (Content-Disposition). ${csv}`,
    headers: {
      ...(response as { headers?: object }).headers,
      'Content-Disposition': { description: 'On a CSV answer: `attachment; filename="<report>-<workspace>-<from>-<to>.csv"`.', required: false, schema: { type: 'string' } },
    },
    content: { ...response.content, 'text/csv': { schema: { type: 'string' } } },
  };
}

function responsesOf(route: Route) {
  const extra: Record<string, string> = { ...((route as { errors?: Record<string, string> }).errors ?? {}) };
  const ownConflict = extra['409'];
  if (route.idempotent) extra['409'] = ownConflict ? `${ownConflict} Or the Idempotency-Key is in use by a running request.` : 'The Idempotency-Key is in use by a running request.';
  // Answers given once the caller is known carry the rate limit's headers; a stored answer replayed, Idempotent-Replayed.
  const counted = { ...rateLimitHeaders, ...(route.idempotent ? { 'Idempotent-Replayed': headerRef('IdempotentReplayed') } : {}) };
  const success = String((route.response as { status?: number }).status ?? 200);
  const own = Object.fromEntries(
    ((route.response as { headers?: readonly ResponseHeader[] }).headers ?? []).map((header) => [ROUTE_RESPONSE_HEADERS[header], headerRef(ROUTE_RESPONSE_HEADERS[header])]),
  );
  return {
    [success]: withCsv(route, json(ref(`${pascal(route.name)}Response`), route.response.description, { ...own, ...counted }, sample(successSchema(route)))),
    '401': responseRef('Unauthenticated'),
    '403': json(
      ref('Error'),
      (route as { selfService?: string }).selfService
        ? `The credential lacks the scope, or the caller neither manages the workspace nor acts for themselves (${(route as { selfService?: string }).selfService === 'id' ? 'the id names their own user id first' : `\`${(route as { selfService?: string }).selfService}\` = their own id`}, as a member who can track).`
        : 'The credential lacks the scope, or the caller does not manage the workspace.',
      counted,
      { success: false, message: 'This action is unauthorized.', error: 'forbidden', meta: EXAMPLE_META },
    ),
    '404': json(ref('Error'), 'The user is not an active member of the workspace, or a record the request names (contract, task, time entry) is not in it.', counted, {
      success: false,
      message: 'The selected user id is invalid.',
      error: 'not_found',
      meta: EXAMPLE_META,
    }),
    '422': json(ref('ValidationError'), 'A field is missing, mistyped or out of range; messages per field.', counted, {
      success: false,
      message: 'Validation failed',
      errors: { workspace_id: ['The workspace id field is required.'] },
      meta: EXAMPLE_META,
    }),
    '429': responseRef('TooManyRequests'),
    '500': responseRef('InternalError'),
    '503': responseRef('ServiceUnavailable'),
    ...(inputSchemaOf(route, 'body') ? { '413': responseRef('PayloadTooLarge') } : {}),
    ...Object.fromEntries(
      Object.entries(extra).map(([status, description]) => [
        status,
        // A route's own 422 (a report too large) comes beside the validation errors every route answers.
        json(status === '422' ? { oneOf: [ref('ValidationError'), ref('Error')] } : ref('Error'), description, counted, {
          success: false,
          message: description,
          error:
            status === '409' && !ownConflict
              ? 'idempotency_key_in_use'
              : status === '409'
                ? ((route as { conflictCode?: string }).conflictCode ?? ERROR_CODE_EXAMPLES[status])
                : (ERROR_CODE_EXAMPLES[status] ?? 'bad_request'),
          meta: EXAMPLE_META,
        }),
      ]),
    ),
  };
}

/**
 * An example value of a JSON Schema of the contract's shapes (what Redoc shows, and what a
 * test validates against the schema): `examples[0]`, a `const`, the first of an `enum`, the
 * minimum of a number, one item of an array, every property of an object.
 */
export function sample(schema: unknown): unknown {
  // biome-ignore lint/suspicious/noExplicitAny: walks any JSON Schema node, whatever keywords it holds.
  const s = schema as Record<string, any>;
  if (!s || typeof s !== 'object') return null;
  if (s.$ref) return sample(resolveRef(s.$ref));
  if ('const' in s) return s.const;
  if (s.examples?.length) return s.examples[0];
  if (s.enum) return s.enum[0];
  if (s.allOf) return Object.assign({}, ...s.allOf.map(sample));
  if (s.anyOf) return sample(s.anyOf[0]);
  const type = s.properties ? 'object' : ([s.type].flat().find((candidate: string) => candidate !== 'null') ?? [s.type].flat()[0]);
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries((s.properties ?? {}) as Record<string, unknown>).map(([name, property]) => [name, sample(property)]));
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items));
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      return s.pattern === '^\\d{4}-\\d{2}-\\d{2}$'
        ? '2024-01-15'
        : s.pattern?.startsWith('^wh_')
          ? 'wh_example'
          : s.pattern?.startsWith('^whsec_')
            ? `whsec_${'A'.repeat(43)}=`
            : s.format === 'date-time'
              ? '2024-01-15T10:30:00.000Z'
              : 'example';
    case 'null':
      return null;
  }
  return null;
}

/** The `#/components/schemas/…` a sampled schema refers to (only the envelope's are referenced there). */
const resolveRef = (pointer: string) => (envelopeSchemas as Record<string, unknown>)[pointer.split('/').pop()!];

const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Replays the first response for 24 hours when sent again with the same body by the same caller; another body → 422, while the first is running → 409.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

const bodyComponent = (route: Route) => `${pascal(route.name)}Body`;

/** Path, query and header fields as OpenAPI parameters: each where it is read, required as its schema says. */
function parametersOf(route: Route) {
  return (['path', 'query', 'headers'] as const).flatMap((location) => {
    const schema = inputSchemaOf(route, location);
    if (!schema) return [];
    const required = new Set(schema.required ?? []);
    const exampleInput = route.example.input as Record<string, unknown>;
    return Object.entries(schema.properties).map(([name, property]) => ({
      name,
      in: location === 'headers' ? 'header' : location,
      required: location === 'path' || required.has(name),
      schema: property,
      ...(exampleInput[name] === undefined ? {} : { example: exampleInput[name] }),
    }));
  });
}

function operationOf(route: Route) {
  const parameters = [...(route.idempotent ? [idempotencyKey] : []), ...parametersOf(route)];
  return {
    operationId: route.name,
    summary: route.summary,
    security: [...requiredScopes(route.scope).map((scope) => ({ oauth2: [scope] })), { apiKey: [] as string[] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(inputSchemaOf(route, 'body')
      ? { requestBody: { required: true, content: { 'application/json': { schema: ref(bodyComponent(route)), example: splitInput(route, route.example.input).body } } } }
      : {}),
    responses: responsesOf(route),
  };
}

const paths: Record<string, Record<string, unknown>> = {};
for (const route of routeList) (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route);

const componentSchemas: Record<string, unknown> = { ...envelopeSchemas };
for (const route of routeList) {
  const body = inputSchemaOf(route, 'body');
  if (body) componentSchemas[bodyComponent(route)] = body;
  componentSchemas[`${pascal(route.name)}Response`] = successSchema(route);
}

/** The Standard Webhooks headers every delivery carries (docs/webhooks.md). */
const webhookHeaders = [
  {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description: 'The message id: the same on every retry, duplicate, redelivery and replay of this event for this webhook; deduplicate on it.',
    schema: { type: 'string', pattern: '^msg_[A-Za-z0-9_-]{32}$' },
    example: 'msg_2b7hXv0kqA4mY1cR9dJ3sL6pW8eT5uZ0',
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description: 'When this attempt was sent, Unix seconds: refuse old ones.',
    schema: { type: 'string', pattern: '^\\d+$' },
    example: '1705314605',
  },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description: '`v1,` + base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` keyed with the secret’s bytes; several, space-separated, during a secret rotation.',
    schema: { type: 'string' },
    example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  },
];

/** Every event of the registry, as OpenAPI 3.1 webhooks: what the subscriber's endpoint receives. */
const webhookOperation = (type: string, summary: string, schema: object) => ({
  post: {
    operationId: `webhook_${type.replace('.', '_')}`,
    summary,
    security: [] as object[],
    parameters: webhookHeaders,
    requestBody: { required: true, content: { 'application/json': { schema, example: sample(schema) } } },
    responses: {
      '2XX': { description: 'Delivered: answer within 5 s (the body of the answer is not read).' },
      '410': { description: 'Gone: the endpoint is no more: the webhook is disabled at once.' },
      '429': { description: 'Too many requests: retried no sooner than its Retry-After says (at most 12 h), as is a 503.' },
      default: { description: 'Anything else, or no answer within 5 s: retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; after 5 days of nothing but failures the webhook is disabled.' },
    },
  },
});
const webhooks = {
  ...Object.fromEntries(WEBHOOK_EVENT_TYPES.map((type) => [type, webhookOperation(type, webhookEventRegistry[type].description, webhookPayloadSchema(type))])),
  'webhook.test': webhookOperation('webhook.test', WEBHOOK_TEST_EVENT_DESCRIPTION, webhookTestPayloadSchema),
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Time Tracking API',
    version: API_VERSION,
    description:
      'The time-tracking endpoints of the workforce tracker REST API. Each operation says who may call it: most are for the owners and executive managers of a workspace; some let a member act for themselves.',
    license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
  },
  servers: [{ url: '/' }],
  security: [{ oauth2: [] as string[] }, { apiKey: [] as string[] }],
  paths,
  webhooks,
  components: {
    schemas: componentSchemas,
    headers: responseHeaders,
    responses: sharedResponses,
    securitySchemes: {
      oauth2: {
        type: 'oauth2',
        description: 'OAuth2 access token (JWT) as `Authorization: Bearer <token>`; scopes in the `scope` claim.',
        flows: {
          clientCredentials: {
            tokenUrl: 'https://auth.example.com/oauth/token',
            scopes: {
              read: 'Read time tracking data',
              write: 'Start and stop trackers',
              admin: 'Everything',
              directory: "Manage any workspace's directory (an organisation's sync job); nothing else",
            },
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
};
