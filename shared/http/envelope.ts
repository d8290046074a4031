import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { API_VERSION } from '../contracts/api-version.ts';
import type { FieldErrors } from '../errors.ts';
import { toApiTimestamp } from '../tracking/api-time.ts';

export type Meta = { api_version: string; timestamp: string; [extra: string]: unknown };

export function meta(now: Date, extra: Record<string, unknown> = {}): Meta {
  return { api_version: API_VERSION, timestamp: toApiTimestamp(now), ...extra };
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function successBody(data: unknown, now: Date, options: { message?: string; meta?: Record<string, unknown> } = {}) {
  return {
    success: true as const,
    ...(options.message === undefined ? {} : { message: options.message }),
    data,
    meta: meta(now, options.meta),
  };
}

export function errorBody(message: string, error: string | null, now: Date) {
  return { success: false as const, message, error, meta: meta(now) };
}

export function validationErrorBody(errors: FieldErrors, now: Date) {
  return { success: false as const, message: 'Validation failed', errors, meta: meta(now) };
}
