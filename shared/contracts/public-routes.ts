/**
 * Routes outside the API's contract, answered without the authorizer (API Gateway's
 * `NONE` authorization): the reference page and the OpenAPI document, both from one small
 * function that reads files built at build time (docs/architecture.md). Apart from the
 * route table, so that the docs function bundles nothing of the API's.
 */
export const publicRoutes = [
  { method: 'GET', path: '/docs', functionName: 'docs', contentType: 'text/html; charset=utf-8' },
  { method: 'GET', path: '/openapi.json', functionName: 'docs', contentType: 'application/json' },
] as const;
