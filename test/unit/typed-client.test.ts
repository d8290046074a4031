import { describe, expect, it } from '@jest/globals';
import { createTimeTrackingClient, newIdempotencyKey } from '../../clients/typescript/client.ts';

/** The typed client's own behaviour, against a fake fetch: the credential, and retries that honour Retry-After. */
const meta = { api_version: '2.0.0', timestamp: '2024-01-15T10:30:00+00:00' };
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function fakeFetch(answers: Response[]) {
  const seen: Array<{ method: string; url: string; authorization: string | null; key: string | null; body: string }> = [];
  const fetch = async (request: Request) => {
    seen.push({ method: request.method, url: request.url, authorization: request.headers.get('authorization'), key: request.headers.get('idempotency-key'), body: await request.text() });
    return answers.shift() ?? json(500, {});
  };
  return { fetch: fetch as unknown as typeof globalThis.fetch, seen };
}

describe('the typed client', () => {
  it('sends the credential and retries a 503 after its Retry-After, with the same Idempotency-Key and body', async () => {
    const started = {
      success: true,
      message: 'Time tracking started successfully',
      data: {
        message: 'Time tracking started successfully',
        start_time: '2024-01-15T10:30:00+00:00',
        workspace_id: 1,
        user_id: 101,
        contract_id: null,
        project_id: null,
        task_id: null,
        activity_description: null,
      },
      meta,
    };
    const { fetch, seen } = fakeFetch([json(503, { success: false, message: 'x', error: 'service_unavailable', meta }, { 'retry-after': '0' }), json(200, started)]);
    const api = createTimeTrackingClient({ baseUrl: 'http://api.test', token: 'ttk_token', fetch });
    const key = newIdempotencyKey();
    const result = await api.POST('/time-tracking/start', { params: { header: { 'Idempotency-Key': key } }, body: { workspace_id: 1, user_id: 101 } });
    expect(result.data?.data.user_id).toBe(101);
    expect(seen).toHaveLength(2);
    for (const request of seen)
      expect(request).toEqual({ method: 'POST', url: 'http://api.test/time-tracking/start', authorization: 'Bearer ttk_token', key, body: '{"workspace_id":1,"user_id":101}' });
  });

  it('never retries a POST without an Idempotency-Key (it could run twice), and gives up after its retries', async () => {
    const unavailable = () => json(503, { success: false, message: 'x', error: 'service_unavailable', meta }, { 'retry-after': '0' });
    const post = fakeFetch([unavailable(), unavailable()]);
    const once = await createTimeTrackingClient({ baseUrl: 'http://api.test', token: 't', fetch: post.fetch }).POST('/time-tracking/stop', { body: { workspace_id: 1, user_id: 101 } });
    expect(once.response.status).toBe(503);
    expect(post.seen).toHaveLength(1);
    const get = fakeFetch([unavailable(), json(429, { success: false, message: 'x', error: 'rate_limited', meta }, { 'retry-after': '0' }), unavailable()]);
    const client = createTimeTrackingClient({ baseUrl: 'http://api.test', token: async () => 'fresh', fetch: get.fetch, retries: 2 });
    const result = await client.GET('/time-tracking/current-data', { params: { query: { workspace_id: 1, user_id: 101 } } });
    expect(result.response.status).toBe(503);
    expect(get.seen.map((request) => request.authorization)).toEqual(['Bearer fresh', 'Bearer fresh', 'Bearer fresh']);
  });
});
