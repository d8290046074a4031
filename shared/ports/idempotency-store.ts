/**
 * The storage port of `Idempotency-Key` (docs/failure-semantics.md): the HTTP layer claims,
 * completes and releases keys through it, a DynamoDB adapter (shared/db) implements it.
 * Types only, so that neither layer imports the other.
 */
export type IdempotencyScope = { userId: number; route: string; key: string };
/** `headers`: the route's own response headers (ETag, Location), replayed as they were. */
export type StoredResponse = { statusCode: number; body: string; headers?: Record<string, string> };
export type IdempotencyRecord = { status: 'in_progress' | 'completed'; requestHash: string; response?: StoredResponse };
export type ClaimResult = { claimed: true } | { claimed: false; record: IdempotencyRecord };

export interface IdempotencyStore {
  /** Takes the key, unless a live record holds it (then returns that record). */
  claim(scope: IdempotencyScope, requestHash: string, now: Date): Promise<ClaimResult>;
  complete(scope: IdempotencyScope, requestHash: string, response: StoredResponse, now: Date): Promise<void>;
  /** Frees a key whose attempt failed transiently (5xx), so that it can be retried. */
  release(scope: IdempotencyScope): Promise<void>;
}

/** Seals a stored answer's body, bound to its scope (an answer that holds a secret), and opens it to replay it. */
export type AnswerSealer = {
  seal(body: string, scope: IdempotencyScope): Promise<string>;
  open(sealed: string, scope: IdempotencyScope): Promise<string>;
};
