import { expect } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument } from '../../shared/contracts/openapi.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
ajv.addSchema({ ...openApiDocument, $id: 'openapi' } as object);

/** Asserts that a response body is one the OpenAPI document allows for this operation and status. */
export function expectMatchesOpenApi(method: string, path: string, status: number, body: unknown) {
  const operation = (openApiDocument.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)[path]?.[method.toLowerCase()];
  expect(operation).toBeDefined();
  expect(Object.keys(operation!.responses)).toContain(String(status));
  const pointer = `openapi#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
  const validate = ajv.getSchema(pointer);
  expect(validate).toBeDefined();
  const valid = validate!(body);
  if (!valid) throw new Error(`${method} ${path} ${status}: body does not match the OpenAPI document: ${JSON.stringify(validate!.errors)}\n${JSON.stringify(body)}`);
}
