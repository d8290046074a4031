/**
 * The per-user request counter behind the rate limit (docs/operations.md): one atomic
 * increment per request, in a fixed window. Implemented over DynamoDB in shared/db.
 */
export type RateLimitState = {
  limit: number;
  /** Requests left in this window after this one (0 when over). */
  remaining: number;
  /** Whole seconds until the window resets (at least 1). */
  resetSeconds: number;
  /** This request is over the limit. */
  limited: boolean;
};

export interface RateLimiter {
  /** Counts one request of `userId` at `now`. Throws when the counter cannot be updated. */
  hit(userId: number, now: Date): Promise<RateLimitState>;
}
