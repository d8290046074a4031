/**
 * The reference page: Redoc (`@redocly/cli build-docs`, its bundle inlined) over the OpenAPI
 * document, one self-contained HTML file, and the document beside it: what the docs function
 * serves at `/docs` and `/openapi.json`. Built at build time (the function's asset) and at
 * `npm start`; never committed.
 *
 *   node scripts/build-docs-page.ts <output folder>
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../shared/contracts/openapi.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function buildDocsPage(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  const documentFile = join(outDir, 'openapi.json');
  writeFileSync(documentFile, `${JSON.stringify(openApiDocument, null, 2)}\n`);
  const built = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/@redocly/cli/bin/cli.js'), 'build-docs', documentFile, '--inlineBundle', '--title', 'Time Tracking API', '-o', join(outDir, 'docs.html'), '--lint-config', 'off'],
    { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, encoding: 'utf8' },
  );
  if (built.status !== 0) throw new Error(`redocly build-docs failed: ${built.stderr || built.stdout}`);
  // Redoc's sidebar shows its attribution as an image from its CDN: the page would make a
  // request off its origin (and fail where that host is unreachable). The same attribution,
  // inline, as a data: URL.
  const page = join(outDir, 'docs.html');
  const html = readFileSync(page, 'utf8');
  const offOrigin = /https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(?:-full)?\.svg/g;
  if (!offOrigin.test(html))
    throw new Error('the Redoc bundle no longer loads its logo from cdn.redoc.ly: check the page for other off-origin requests (test/e2e/docs-page.test.ts) and update this step');
  // And no favicon request either (the browser would ask the API for /favicon.ico).
  writeFileSync(page, html.replace(offOrigin, ATTRIBUTION).replace('<head>', '<head><link rel="icon" href="data:,">'));
}

const ATTRIBUTION = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="16"><text x="0" y="12" font-family="sans-serif" font-size="12" fill="#888">Redoc</text></svg>')}`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: node scripts/build-docs-page.ts <output folder>');
    process.exit(2);
  }
  buildDocsPage(outDir);
  console.log(`wrote ${join(outDir, 'docs.html')} and ${join(outDir, 'openapi.json')}`);
}
