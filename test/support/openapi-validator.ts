import { expect } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument } from '../../shared/contracts/openapi.ts';

/**
 * The one check every HTTP test makes of every answer (docs/testing.md): the OpenAPI document
 * says it. The status is declared for the operation; the body is valid against that
 * status's schema; every header the document requires there is present; and no meaningful
 * header is sent that the document does not declare (transport headers and the security
 * headers every answer carries excepted). A route whose answers are not documented fails CI.
 */
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
ajv.addSchema({ ...openApiDocument, $id: 'openapi' } as object);

/** Headers no operation declares: HTTP's own, API Gateway's request id, and the security headers of every answer (@middy/http-security-headers). */
const UNDECLARED_OK = new Set([
  'content-type',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'apigw-requestid',
  'content-security-policy',
  'cross-origin-embedder-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'permissions-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
]);

type Response = { $ref?: string; headers?: Record<string, { $ref?: string; required?: boolean }> };
type Operation = { responses: Record<string, Response> };
const paths = openApiDocument.paths as Record<string, Record<string, Operation>>;
const templates = Object.keys(paths).map((template) => ({ template, pattern: new RegExp(`^${template.replace(/\{(\w+)\}/g, '[^/]+')}$`) }));
const components = (openApiDocument.components as { headers: Record<string, { required?: boolean }> }).headers;
const sharedResponses = (openApiDocument.components as unknown as { responses: Record<string, Response> }).responses;
/** A shared answer (`$ref` to components.responses) is declared there: where its schema and headers are. */
const declaredAt = (template: string, method: string, status: string, response: Response) =>
  response.$ref
    ? { pointer: `openapi#/components/responses/${response.$ref.split('/').pop()}`, response: sharedResponses[response.$ref.split('/').pop()!]! }
    : { pointer: `openapi#/paths/${template.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/responses/${status}`, response };

/** The document's path for a request path (`/webhooks/wh_1?x=1` → `/webhooks/{id}`). */
export function operationPathOf(path: string): string | undefined {
  const bare = path.split('?')[0]!;
  return paths[bare] ? bare : templates.find(({ pattern }) => pattern.test(bare))?.template;
}

/** Asserts that an answer is one the OpenAPI document allows for this request. */
export function expectContract(method: string, path: string, response: { status: number; headers?: Headers | Record<string, string>; body: unknown }) {
  const template = operationPathOf(path);
  const operation = template ? paths[template]?.[method.toLowerCase()] : undefined;
  if (!operation) throw new Error(`${method} ${path}: no operation in the OpenAPI document`);
  const status = String(response.status);
  if (!operation.responses[status]) throw new Error(`${method} ${template} answered ${status}, which the OpenAPI document does not declare (declared: ${Object.keys(operation.responses).join(', ')})`);
  const at = declaredAt(template!, method.toLowerCase(), status, operation.responses[status]!);
  const contentType = response.headers instanceof Headers ? response.headers.get('content-type') : response.headers?.['content-type'];
  const mediaType = contentType?.split(';')[0]?.trim() === 'text/csv' ? 'text~1csv' : 'application~1json';
  const validate = ajv.getSchema(`${at.pointer}/content/${mediaType}/schema`);
  if (!validate) throw new Error(`${method} ${template} ${status}: no ${mediaType.replace('~1', '/')} schema in the document`);
  if (!validate(response.body)) throw new Error(`${method} ${template} ${status}: body does not match the OpenAPI document: ${JSON.stringify(validate.errors)}\n${JSON.stringify(response.body)}`);
  if (response.headers === undefined) return;
  const sent = new Map<string, string>(response.headers instanceof Headers ? [...response.headers.entries()] : Object.entries(response.headers).map(([name, value]) => [name.toLowerCase(), value]));
  const declared = Object.entries(at.response.headers ?? {}).map(([name, header]) => ({
    name: name.toLowerCase(),
    required: header.required ?? components[header.$ref?.split('/').pop() ?? '']?.required ?? false,
  }));
  for (const header of declared)
    if (header.required && !sent.has(header.name)) throw new Error(`${method} ${template} ${status}: the document requires the header ${header.name}, which the answer lacks`);
  const undeclared = [...sent.keys()].filter((name) => !UNDECLARED_OK.has(name) && !declared.some((header) => header.name === name));
  if (undeclared.length > 0) throw new Error(`${method} ${template} ${status}: the answer sends headers the document does not declare: ${undeclared.join(', ')}`);
}

/** The body-only check of a handler's answer (no HTTP headers around it). */
export function expectMatchesOpenApi(method: string, path: string, status: number, body: unknown) {
  expect(() => expectContract(method, path, { status, body })).not.toThrow();
}
