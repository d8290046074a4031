import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { publicRoutes } from '../../shared/contracts/public-routes.ts';

/**
 * `GET /docs` and `GET /openapi.json`, without the authorizer: the reference page (Redoc,
 * built into one self-contained file by `npm run build:docs`: no CDN, no telemetry, no
 * request leaving the page's origin) and the OpenAPI document. Deployed, both files sit
 * beside this bundle (infra: the docs function's asset); locally, DOCS_DIR names the folder.
 * Read once, at load.
 */
const dir = process.env.DOCS_DIR ?? process.env.LAMBDA_TASK_ROOT ?? '.';
const files = { '/docs': readFileSync(join(dir, 'docs.html'), 'utf8'), '/openapi.json': readFileSync(join(dir, 'openapi.json'), 'utf8') } as const;

// The page's own inline script and styles, its images as data: URLs, and nothing from elsewhere.
const PAGE_POLICY = "default-src 'none'; script-src 'self' 'unsafe-inline' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const route = publicRoutes.find((candidate) => candidate.path === event.rawPath);
  if (!route) return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Not Found' }) };
  return {
    statusCode: 200,
    headers: {
      'content-type': route.contentType,
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(route.path === '/docs' ? { 'content-security-policy': PAGE_POLICY } : {}),
    },
    body: files[route.path],
  };
}
