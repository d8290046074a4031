/**
 * A typed client of the Time Tracking API: types generated from the OpenAPI document
 * (`schema.d.ts`, `npm run build:contracts` at the repository root), requests through
 * openapi-fetch, with
 * - the credential (a JWT or a `ttk_` API key) on every request;
 * - `newIdempotencyKey()` for POSTs that may be retried (the service replays the first
 *   answer for the same key and body);
 * - retries of 503 and 429 answers, no sooner than their `Retry-After` says (a POST is
 *   retried only when it carries an Idempotency-Key, so that it never runs twice).
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema.d.ts';

export type { paths };

export type TimeTrackingClientOptions = {
  /** e.g. `https://time.example.com` or `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** The bearer credential, or a function that returns a fresh one. */
  token: string | (() => string | Promise<string>);
  /** How many times a 503 or 429 is retried. Default 3. */
  retries?: number;
  /** The longest wait between retries, whatever Retry-After says. Default 30 s. */
  maxRetryDelayMs?: number;
  /** The fetch to use. Default the global one. */
  fetch?: typeof fetch;
};

const RETRIABLE = new Set([429, 503]);

export function createTimeTrackingClient(options: TimeTrackingClientOptions) {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const retries = options.retries ?? 3;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;

  async function fetchWithRetries(input: Request): Promise<Response> {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    const request = new Request(input, { headers: new Headers(input.headers) });
    request.headers.set('authorization', `Bearer ${token}`);
    const mayRetry = request.method === 'GET' || request.headers.has('idempotency-key');
    for (let attempt = 0; ; attempt++) {
      const response = await baseFetch(request.clone());
      if (!RETRIABLE.has(response.status) || !mayRetry || attempt >= retries) return response;
      const seconds = Number(response.headers.get('retry-after'));
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, Math.min(Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000 * 2 ** attempt, maxDelay)));
    }
  }

  // JSON: the reports' CSV (Accept: text/csv) is a file to download, not a typed answer.
  return createClient<paths, 'application/json'>({ baseUrl: options.baseUrl, fetch: fetchWithRetries });
}

/** A fresh Idempotency-Key: send the same one again to retry the same request safely. */
export const newIdempotencyKey = () => crypto.randomUUID();
