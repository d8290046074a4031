import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { publicRoutes } from '../../shared/contracts/public-routes.ts';

/**
 * `GET /docs` and `GET /openapi.json`, without the authorizer: the reference page (Redoc,
 * built into one self-contained file by `npm run build:docs`: no CDN, no telemetry, no
 * request leaving the page's origin) and the OpenAPI document. Deployed, both files sit
 * beside this bundle (infra: the docs function's asset); locally, DOCS_DIR names the folder.
 *
 * Read and compressed once, at load: every anonymous request for a 2.9 MB page would
 * otherwise cost 2.9 MB out of a function. Each answer is brotli or gzip by Accept-Encoding
 * (identity for a client that takes neither), with a strong ETag of the file; a client
 * holding it gets 304 and no body.
 */
const dir = process.env.DOCS_DIR ?? process.env.LAMBDA_TASK_ROOT ?? '.';
const FILE_NAMES = { '/docs': 'docs.html', '/openapi.json': 'openapi.json' } as const;

type Encoding = 'br' | 'gzip' | 'identity';
type Prepared = { etag: string; bodies: Record<Encoding, Buffer> };

function prepare(name: string): Prepared {
  const identity = readFileSync(join(dir, name));
  return {
    etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`,
    bodies: {
      identity,
      gzip: gzipSync(identity, { level: 9 }),
      // Quality 6, not 11: 2.9 MB at 11 took 3.9 s of the cold start here, at 6 80 ms, for 627 KB instead of 556 KB.
      br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    },
  };
}
const files: Record<keyof typeof FILE_NAMES, Prepared> = { '/docs': prepare(FILE_NAMES['/docs']), '/openapi.json': prepare(FILE_NAMES['/openapi.json']) };

// The page's own inline script and styles, its images as data: URLs, and nothing from elsewhere.
const PAGE_POLICY =
  "default-src 'none'; script-src 'self' 'unsafe-inline' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The encoding to answer with: brotli, then gzip, when the client accepts it (a q of 0 refuses), else identity. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [token, ...parameters] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    const q = parameters.map((parameter) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(parameter)?.[1]).find((value) => value !== undefined);
    accepted.set(token, q === undefined ? 1 : Number(q));
  }
  const weight = (encoding: string) => accepted.get(encoding) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return 'identity';
}

/** Whether If-None-Match names the current ETag (or `*`): weak comparison, as RFC 9110 asks of it. */
export function matchesIfNoneMatch(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim();
    return candidate === '*' || candidate.replace(/^W\//, '') === etag;
  });
}

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const route = publicRoutes.find((candidate) => candidate.path === event.rawPath);
  if (!route) return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Not Found' }) };
  const file = files[route.path];
  const header = (name: string) => event.headers?.[name] ?? Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
  const headers = {
    'cache-control': 'public, max-age=300',
    etag: file.etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(route.path === '/docs' ? { 'content-security-policy': PAGE_POLICY } : {}),
  };
  if (matchesIfNoneMatch(header('if-none-match'), file.etag)) return { statusCode: 304, headers };
  const encoding = chooseEncoding(header('accept-encoding'));
  const body = file.bodies[encoding];
  return {
    statusCode: 200,
    headers: { ...headers, 'content-type': route.contentType, ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }) },
    body: body.toString(encoding === 'identity' ? 'utf8' : 'base64'),
    isBase64Encoded: encoding !== 'identity',
  };
}
