import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { routeList } from '../../shared/contracts/routes.ts';
import { WEBHOOK_EVENT_TYPES } from '../../shared/contracts/webhook-events.ts';
import { testSeed } from '../support/fixtures.ts';
import { startTestRuntime } from '../support/test-runtime.ts';

/**
 * The reference page as a person opens it: `npm start` serves /docs (no credential), and
 * headless Chromium (Debian's `chromium`, which .ci/run installs; Playwright's own browser
 * download cannot reach the network here) shows every operation and every webhook event, with
 * no console error and no request leaving the page's origin. A screenshot is kept under
 * test-output/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));
let runtime: Awaited<ReturnType<typeof startTestRuntime>>;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (.ci/run does), or set CHROMIUM_PATH`);
  runtime = await startTestRuntime({ name: 'docs-page', seed: testSeed });
  // As root in a container, without Chromium's background connections (this machine's network is closed).
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

describe('GET /docs in a browser', () => {
  it('shows every operation and every webhook event, with no console error and nothing requested off its origin', async () => {
    const origin = new URL(runtime.server.baseUrl).origin;
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const offOrigin: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'blob:' && url.protocol !== 'data:' && url.origin !== origin) offOrigin.push(request.url());
    });
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(String(error)));

    const response = await page.goto(`${runtime.server.baseUrl}/docs`, { waitUntil: 'networkidle' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    // The browser asks for brotli and gets it: a fraction of the page's 2.9 MB.
    expect(response?.headers()['content-encoding']).toBe('br');
    // Redoc renders after load: wait for each operation's entry.
    for (const route of routeList) await page.getByText(route.summary, { exact: true }).first().waitFor({ state: 'visible', timeout: 15_000 });
    // Redoc lists eight webhooks, then "Show N more...": open the rest.
    const more = page.getByText(/^Show \d+ more/).first();
    if (await more.isVisible()) await more.click();
    for (const event of WEBHOOK_EVENT_TYPES) await page.getByText(event, { exact: true }).first().waitFor({ state: 'visible', timeout: 15_000 });

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: `${OUTPUT}docs-page.png` });
    expect(errors).toEqual([]);
    expect(offOrigin).toEqual([]);
    await page.close();
  }, 60_000);

  it('serves the OpenAPI document beside it, without credentials either', async () => {
    const response = await fetch(`${runtime.server.baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('answers compressed by Accept-Encoding, and 304 without a body to a client holding its ETag', async () => {
    const raw = async (path: string, headers: Record<string, string>) => {
      // node:http, not fetch: fetch would decompress and hide what went over the wire.
      const { request } = await import('node:http');
      return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: number }>((resolve, reject) => {
        const outgoing = request(`${runtime.server.baseUrl}${path}`, { headers }, (answer) => {
          let bytes = 0;
          answer.on('data', (chunk: Buffer) => (bytes += chunk.length));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 0, headers: answer.headers, bytes }));
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    };
    const plain = await raw('/docs', {});
    const gzip = await raw('/docs', { 'accept-encoding': 'gzip' });
    const brotli = await raw('/docs', { 'accept-encoding': 'gzip, deflate, br' });
    const refused = await raw('/docs', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect([plain.headers['content-encoding'], gzip.headers['content-encoding'], brotli.headers['content-encoding'], refused.headers['content-encoding']]).toEqual([
      undefined,
      'gzip',
      'br',
      undefined,
    ]);
    expect(brotli.bytes).toBeLessThan(plain.bytes / 3);
    expect(gzip.headers.vary).toBe('accept-encoding');
    const etag = String(brotli.headers.etag);
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(plain.headers.etag).toBe(etag);
    const revalidated = await raw('/docs', { 'if-none-match': etag, 'accept-encoding': 'br' });
    expect([revalidated.status, revalidated.bytes, revalidated.headers.etag]).toEqual([304, 0, etag]);
    expect((await raw('/openapi.json', { 'if-none-match': etag })).status).toBe(200);
  });
});
