import { DependencyUnavailableError } from '../errors.ts';

/**
 * Errors that mean "DynamoDB cannot serve this now" (throttling, timeouts, 5xx, network):
 * the client gets 503 with Retry-After. Everything else is a bug and becomes a 500.
 */
const UNAVAILABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

export function isUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { name, code, $metadata } = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  return (
    (name !== undefined && UNAVAILABLE_NAMES.has(name)) ||
    (code !== undefined && NETWORK_CODES.has(code)) ||
    ($metadata?.httpStatusCode ?? 0) >= 500
  );
}

/** Rethrows `error` as DependencyUnavailableError when it is one, unchanged otherwise. */
export function translateDynamoError(error: unknown): never {
  if (isUnavailable(error)) throw new DependencyUnavailableError(1, { cause: error });
  throw error;
}
