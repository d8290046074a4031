import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MAX_RESPONSE_BYTES, startRuntimeApi, type Invocation, type RuntimeApi } from '../../local/lambda/runtime-api.ts';

/**
 * The local Lambda Runtime API on its own, spoken to over HTTP as a runtime speaks to it:
 * the long-polled `next` and its headers, the response and error posts, the init error,
 * and what it refuses.
 */
let api: RuntimeApi;
beforeEach(async () => {
  api = await startRuntimeApi();
});
afterEach(() => api.close());

const url = (path: string) => `http://${api.address}/2018-06-01/runtime${path}`;
const invocation = (overrides: Partial<Invocation> = {}): Invocation => ({
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  deadlineMs: 1_790_000_000_000,
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Fn',
  payload: '{"hello":"world"}',
  ...overrides,
});
const post = (path: string, body: string, headers: Record<string, string> = {}) => fetch(url(path), { method: 'POST', body, headers });

describe('the local Lambda Runtime API (2018-06-01)', () => {
  it('holds `next` until an invocation comes, then hands it over with Lambda’s headers', async () => {
    let answered = false;
    const next = fetch(url('/invocation/next')).then((response) => ((answered = true), response));
    await api.initialized;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    const outcome = api.invoke(invocation({ traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1', clientContext: '{"custom":{}}' }));
    const response = await next;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"hello":"world"}');
    expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('lambda-runtime-')))).toEqual({
      'lambda-runtime-aws-request-id': 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      'lambda-runtime-deadline-ms': '1790000000000',
      'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:000000000000:function:Fn',
      'lambda-runtime-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1',
      'lambda-runtime-client-context': '{"custom":{}}',
    });
    const posted = await post('/invocation/c6af9ac6-7b61-11e6-9a41-93e812345678/response', '{"statusCode":200}');
    expect({ status: posted.status, body: await posted.json() }).toEqual({ status: 202, body: { status: 'OK' } });
    expect(await outcome).toEqual({ kind: 'response', payload: '{"statusCode":200}' });
  });

  it('keeps an invocation made before the runtime asks until its `next`', async () => {
    const outcome = api.invoke(invocation());
    const response = await fetch(url('/invocation/next'));
    expect(response.headers.get('lambda-runtime-aws-request-id')).toBe('c6af9ac6-7b61-11e6-9a41-93e812345678');
    await post('/invocation/c6af9ac6-7b61-11e6-9a41-93e812345678/response', 'null');
    expect(await outcome).toEqual({ kind: 'response', payload: 'null' });
  });

  it('takes an invocation error, its type from Lambda-Runtime-Function-Error-Type, else from the document', async () => {
    const document = JSON.stringify({ errorType: 'TypeError', errorMessage: 'bad input', trace: ['TypeError: bad input', '    at handler (index.js:3:9)'] });
    for (const [headers, expected] of [
      [{ 'lambda-runtime-function-error-type': 'Runtime.UserCodeSyntaxError' }, 'Runtime.UserCodeSyntaxError'],
      [{}, 'TypeError'],
    ] as const) {
      const outcome = api.invoke(invocation());
      await fetch(url('/invocation/next'));
      expect((await post('/invocation/c6af9ac6-7b61-11e6-9a41-93e812345678/error', document, headers)).status).toBe(202);
      expect(await outcome).toEqual({ kind: 'error', errorType: expected, payload: document });
    }
  });

  it('takes an init error before any invocation, and says init ended only at the first `next`', async () => {
    let initialized = false;
    void api.initialized.then(() => (initialized = true));
    const document = JSON.stringify({ errorType: 'Runtime.ImportModuleError', errorMessage: "Cannot find module 'index'", trace: [] });
    expect((await post('/init/error', document, { 'lambda-runtime-function-error-type': 'Runtime.ImportModuleError' })).status).toBe(202);
    expect(await api.initFailed).toEqual({ errorType: 'Runtime.ImportModuleError', payload: document });
    expect(initialized).toBe(false);
  });

  it('refuses an answer for a request that is not in flight, and a late answer to an abandoned one', async () => {
    const stray = await post('/invocation/not-a-request/response', '{}');
    expect({ status: stray.status, body: await stray.json() }).toEqual({ status: 400, body: { errorType: 'InvalidRequestID', errorMessage: 'no invocation not-a-request is in flight' } });
    void api.invoke(invocation());
    await fetch(url('/invocation/next'));
    api.abandon();
    expect((await post('/invocation/c6af9ac6-7b61-11e6-9a41-93e812345678/response', '{}')).status).toBe(400);
  });

  it('runs one invocation at a time', async () => {
    void api.invoke(invocation());
    await expect(api.invoke(invocation({ requestId: 'another' }))).rejects.toThrow('an invocation (c6af9ac6-7b61-11e6-9a41-93e812345678) is already in flight in this environment');
  });

  it('turns a response over 6 MB into Lambda’s Function.ResponseSizeTooLarge', async () => {
    const outcome = api.invoke(invocation());
    await fetch(url('/invocation/next'));
    const posted = await post('/invocation/c6af9ac6-7b61-11e6-9a41-93e812345678/response', 'x'.repeat(MAX_RESPONSE_BYTES + 1));
    expect(posted.status).toBe(413);
    const answered = await outcome;
    expect(answered).toMatchObject({ kind: 'error', errorType: 'Function.ResponseSizeTooLarge' });
    expect(JSON.parse((answered as { payload: string }).payload).errorMessage).toBe('Response payload size exceeded maximum allowed payload size (6291456 bytes).');
  });

  it('answers 404 to a path it does not serve', async () => {
    const response = await fetch(`http://${api.address}/2020-01-01/extension/register`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});
