import { API_VERSION } from './api-version.ts';
import { inputSchemaOf, routeList, type Route } from './routes.ts';
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
const json = (schema: object, description: string, headers?: object) => ({ description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } });

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

function responsesOf(route: Route) {
  const extra: Record<string, string> = { ...((route as { errors?: Record<string, string> }).errors ?? {}) };
  if (route.idempotent) extra['409'] = 'The Idempotency-Key is in use by a running request.';
  return {
    [String((route.response as { status?: number }).status ?? 200)]: json(ref(`${pascal(route.name)}Response`), route.response.description),
    '401': json(
      { anyOf: [ref('Error'), ref('GatewayError')] },
      'Invalid or expired credentials ("Unauthenticated." in the envelope); without an Authorization header API Gateway itself answers {"message":"Unauthorized"}.',
    ),
    '403': json(ref('Error'), 'The credential lacks the scope, or the caller does not manage the workspace.'),
    '404': json(ref('Error'), 'The user is not an active member of the workspace (or a referenced record is not in it).'),
    '422': json(ref('ValidationError'), 'A field is missing, mistyped or out of range; messages per field.'),
    '500': json(
      { anyOf: [ref('Error'), ref('GatewayError')] },
      'Unexpected error (generic message); API Gateway answers {"message":"Internal Server Error"} when the authorizer cannot reach its dependencies: retry.',
    ),
    '503': json(ref('Error'), 'DynamoDB throttled or unavailable: retry after the given delay.', {
      'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before retrying.' },
    }),
    ...Object.fromEntries(Object.entries(extra).map(([status, description]) => [status, json(ref('Error'), description)])),
  };
}

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
    return Object.entries(schema.properties).map(([name, property]) => ({
      name,
      in: location === 'headers' ? 'header' : location,
      required: location === 'path' || required.has(name),
      schema: property,
    }));
  });
}

function operationOf(route: Route) {
  const parameters = [...(route.idempotent ? [idempotencyKey] : []), ...parametersOf(route)];
  return {
    operationId: route.name,
    summary: route.summary,
    security: [{ oauth2: [route.scope] }, { apiKey: [] as string[] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(inputSchemaOf(route, 'body') ? { requestBody: { required: true, content: { 'application/json': { schema: ref(bodyComponent(route)) } } } } : {}),
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

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Time Tracking API',
    version: API_VERSION,
    description: 'The time-tracking endpoints of the workforce tracker REST API. Only owners and executive managers of a workspace may use them.',
  },
  servers: [{ url: '/' }],
  security: [{ oauth2: [] as string[] }, { apiKey: [] as string[] }],
  paths,
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
};
