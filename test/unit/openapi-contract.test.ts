import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument, sample } from '../../shared/contracts/openapi.ts';
import { inputSchemaOf, routeList } from '../../shared/contracts/routes.ts';
import { WEBHOOK_EVENT_TYPES } from '../../shared/contracts/webhook-events.ts';
import { expectContract } from '../support/openapi-validator.ts';

/** The OpenAPI document tells the whole truth, and the one check of every HTTP answer holds it to it. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const meta = { api_version: '2.0.0', timestamp: '2024-01-15T10:30:00+00:00' };
const ok = { success: true, data: { is_tracking: false, workspace_id: 1, user_id: 101, date: '2024-01-15', total_minutes: 0 }, meta };
const headers = (extra: Record<string, string> = {}) => new Headers({ 'content-type': 'application/json', 'x-content-type-options': 'nosniff', ...extra });

describe('expectContract', () => {
  it('accepts a documented answer with its optional headers', () => {
    expect(() =>
      expectContract('GET', '/time-tracking/current-data?workspace_id=1&user_id=101', {
        status: 200,
        headers: headers({ 'ratelimit-limit': '60', 'ratelimit-remaining': '59', 'ratelimit-reset': '30' }),
        body: ok,
      }),
    ).not.toThrow();
  });
  it('refuses a status the operation does not declare', () => {
    expect(() => expectContract('GET', '/time-tracking/current-data', { status: 418, headers: headers(), body: ok })).toThrow(/does not declare/);
  });
  it('refuses a body the schema does not allow', () => {
    expect(() => expectContract('GET', '/time-tracking/current-data', { status: 200, headers: headers(), body: { ...ok, data: { is_tracking: 'no' } } })).toThrow(/does not match/);
  });
  it('refuses an answer without a header the document requires there (Retry-After on a 429)', () => {
    const body = { success: false, message: 'Too many requests.', error: 'rate_limited', meta };
    expect(() => expectContract('GET', '/time-tracking/current-data', { status: 429, headers: headers(), body })).toThrow(/requires the header retry-after/);
    expect(() => expectContract('GET', '/time-tracking/current-data', { status: 429, headers: headers({ 'retry-after': '3' }), body })).not.toThrow();
  });
  it('refuses a meaningful header the document does not declare', () => {
    expect(() => expectContract('GET', '/time-tracking/current-data', { status: 200, headers: headers({ 'x-debug-table': 't' }), body: ok })).toThrow(/does not declare: x-debug-table/);
    // Idempotent-Replayed is declared on the idempotent routes only.
    expect(() => expectContract('GET', '/time-tracking/current-data', { status: 200, headers: headers({ 'idempotent-replayed': 'true' }), body: ok })).toThrow(/idempotent-replayed/);
  });
  it('finds the operation of a concrete path', () => {
    expect(() => expectContract('DELETE', '/webhooks/wh_abc?workspace_id=1', { status: 200, body: { success: true, data: { id: 'wh_abc', workspace_id: 1 }, meta } })).not.toThrow();
  });
});

describe('the document', () => {
  const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  ajv.addSchema({ ...openApiDocument, $id: 'openapi' } as object);

  it('declares 429, 503 and (with a body) 413 on every operation, each example valid against its schema', () => {
    for (const route of routeList) {
      const operation = (openApiDocument.paths as any)[route.path][route.method.toLowerCase()];
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403', '422', '429', '500', '503', ...(inputSchemaOf(route, 'body') ? ['413'] : [])]));
      for (const [status, declared] of Object.entries(operation.responses as Record<string, any>)) {
        // The answers every operation shares are declared once, in components.responses.
        const shared = declared.$ref?.split('/').pop() as string | undefined;
        const response = shared ? (openApiDocument.components.responses as Record<string, any>)[shared] : declared;
        const example = response.content['application/json'].example;
        expect({ route: route.name, status, hasExample: example !== undefined }).toEqual({ route: route.name, status, hasExample: true });
        const where = shared ? `components/responses/${shared}` : `paths/${route.path.replaceAll('/', '~1')}/${route.method.toLowerCase()}/responses/${status}`;
        const validate = ajv.getSchema(`openapi#/${where}/content/application~1json/schema`)!;
        expect({ route: route.name, status, valid: validate(example), errors: validate.errors }).toEqual({ route: route.name, status, valid: true, errors: null });
      }
    }
  });

  it('describes every registered webhook event and the test event, with the Standard Webhooks headers', () => {
    expect(Object.keys(openApiDocument.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES, 'webhook.test'].sort());
    for (const event of Object.values(openApiDocument.webhooks)) expect(event.post.parameters.map((parameter) => parameter.name)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  });

  it('samples values its own schemas accept', () => {
    expect(sample({ type: 'object', properties: { a: { type: ['integer', 'null'], minimum: 1 }, b: { enum: ['x', 'y'] } } })).toEqual({ a: 1, b: 'x' });
  });

  it("passes Redocly's recommended rules with no error and no warning (npm run lint:openapi)", () => {
    const result = spawnSync(process.execPath, [`${ROOT}node_modules/@redocly/cli/bin/cli.js`, 'lint', `${ROOT}openapi.json`, '--format', 'json', '--config', `${ROOT}redocly.yaml`], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      encoding: 'utf8',
    });
    const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{')));
    expect(report.problems.map((problem: { ruleId: string; message: string }) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
  }, 30_000);
});
