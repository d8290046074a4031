import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DependencyUnavailableError } from '../errors.ts';

/**
 * The one classifier of DynamoDB failures, for every repository (docs/failure-semantics.md):
 * - a failed condition is an answer, not a failure: the repository turns it into its
 *   result (`failedConditions` says which items of a transaction failed theirs);
 * - "DynamoDB cannot serve this now" (throttling, timeouts, 5xx, network, and a transaction
 *   cancelled by a conflict or throttling on one of its items) is transient: 503 with
 *   Retry-After, never cached, safe to retry;
 * - everything else is a bug: a 500 with a generic message.
 */
const UNAVAILABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  // Global tables with multi-Region strong consistency: two regions wrote one item at once (docs/multi-region.md).
  'ReplicatedWriteConflictException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
/** Cancellation reasons of a transaction that a retry can get past. */
const TRANSIENT_CANCELLATIONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded', 'InternalServerError']);

export function isUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  if (error instanceof TransactionCanceledException) {
    const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
    // A failed condition decides the outcome whatever else happened: it is no transient failure.
    return !codes.includes('ConditionalCheckFailed') && codes.some((code) => TRANSIENT_CANCELLATIONS.has(code));
  }
  const { name, code, $metadata } = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  return (name !== undefined && UNAVAILABLE_NAMES.has(name)) || (code !== undefined && NETWORK_CODES.has(code)) || ($metadata?.httpStatusCode ?? 0) >= 500;
}

/**
 * The items whose condition failed: `[0]` for a single conditional write, the indexes of the
 * transaction's items for a cancelled transaction, `[]` for any other error.
 */
export function failedConditions(error: unknown): number[] {
  if (error instanceof ConditionalCheckFailedException) return [0];
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
  }
  return [];
}

/** A transaction cancelled because another one touched its items at the same time: reading again decides. */
export function isTransactionConflict(error: unknown): boolean {
  return error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict');
}

/** Rethrows `error` as DependencyUnavailableError when it is transient, unchanged (a bug: 500) otherwise. */
export function translateDynamoError(error: unknown): never {
  if (isUnavailable(error)) throw new DependencyUnavailableError(1, { cause: error });
  throw error;
}
