import { describe, expect, it } from '@jest/globals';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { failedConditions, isUnavailable, translateDynamoError } from '../../shared/db/dynamo-errors.ts';
import { DependencyUnavailableError } from '../../shared/errors.ts';

/** The one classifier every repository uses: a condition is an answer, transient is 503, the rest a bug. */
const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, $metadata: {} }, extra);

describe('DynamoDB errors', () => {
  it.each([
    ['a transaction cancelled by a conflict', cancelled('None', 'TransactionConflict'), true],
    ['a transaction cancelled by throttling', cancelled('ThrottlingError', 'None'), true],
    ['a transaction whose condition failed (whatever else happened)', cancelled('ConditionalCheckFailed', 'TransactionConflict'), false],
    ['a transaction cancelled for a validation error', cancelled('ValidationError'), false],
    ['throttling', named('ProvisionedThroughputExceededException'), true],
    ['a write conflict between regions (multi-Region strong consistency)', named('ReplicatedWriteConflictException'), true],
    ['a timeout', named('TimeoutError'), true],
    ['a connection reset', named('Error', { code: 'ECONNRESET' }), true],
    ['a 5xx', named('Whatever', { $metadata: { httpStatusCode: 503 } }), true],
    ['a failed condition', new ConditionalCheckFailedException({ message: 'x', $metadata: {} }), false],
    ['a validation error', named('ValidationException', { $metadata: { httpStatusCode: 400 } }), false],
    ['a TypeError', new TypeError('x'), false],
  ])('%s: transient %s', (_name, error, transient) => {
    expect(isUnavailable(error)).toBe(transient);
    expect(() => translateDynamoError(error)).toThrow(transient ? DependencyUnavailableError : ((error as Error | undefined)?.constructor ?? Error));
  });

  it('says which items failed their condition', () => {
    expect(failedConditions(new ConditionalCheckFailedException({ message: 'x', $metadata: {} }))).toEqual([0]);
    expect(failedConditions(cancelled('None', 'ConditionalCheckFailed', 'ConditionalCheckFailed'))).toEqual([1, 2]);
    expect(failedConditions(cancelled('TransactionConflict'))).toEqual([]);
    expect(failedConditions(new TypeError('x'))).toEqual([]);
  });
});
