import { expectContract, operationPathOf } from './openapi-validator.ts';
import { openApiDocument } from '../../shared/contracts/openapi.ts';

/**
 * How every HTTP test calls the API: `fetch`, the body parsed, and every answer of a
 * documented operation checked against the OpenAPI document (expectContract): status,
 * body, required headers, no undeclared header. Requests outside the document (`/health`,
 * unknown routes) are answered unchecked.
 */
export type ApiResponse = { status: number; headers: Headers; body: any; text: string };

export async function callApi(baseUrl: string, method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<ApiResponse> {
  const response = await fetch(`${baseUrl}${path}`, { method, headers: init.headers, body: init.body });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  const template = operationPathOf(path);
  const documented = template !== undefined && (openApiDocument.paths as Record<string, Record<string, unknown>>)[template]?.[method.toLowerCase()] !== undefined;
  if (documented) expectContract(method, path, { status: response.status, headers: response.headers, body });
  return { status: response.status, headers: response.headers, body, text };
}
