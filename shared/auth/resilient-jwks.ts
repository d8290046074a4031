import { createLocalJWKSet, createRemoteJWKSet, errors, jwksCache, type ExportedJWKSCache, type JWTVerifyGetKey } from 'jose';
import { AuthUnavailableError } from './auth-errors.ts';

export type ResilientJwksOptions = {
  /** One fetch of the key set may take this long. */
  timeoutMs: number;
  /** A key set this old is still used while the issuer cannot be reached. */
  maxStaleMs: number;
  /** After a failed refresh, the last good key set is used without retrying for this long. */
  retryAfterFailureMs: number;
  nowMs?: () => number;
};

/**
 * The issuer's JWKS (jose's remote key set: fetched once, cached 10 minutes, refetched at
 * most every 30 s for an unknown `kid`), which keeps working from the last good key set,
 * for at most `maxStaleMs`, when a refresh fails: an issuer outage must not refuse valid
 * tokens. A failed refresh is a transient failure (AuthUnavailableError), never a refusal:
 * an unknown `kid` is definite only after a successful refresh.
 */
export function createResilientJwks(url: URL, options: ResilientJwksOptions): JWTVerifyGetKey {
  const nowMs = options.nowMs ?? (() => Date.now());
  // jose records every successful fetch here (`uat`: when, `jwks`: what).
  const cache = {} as ExportedJWKSCache;
  const remote = createRemoteJWKSet(url, { timeoutDuration: options.timeoutMs, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, [jwksCache]: cache });
  let lastFailureMs = Number.NEGATIVE_INFINITY;
  let lastGood: { uat: number; getKey: JWTVerifyGetKey } | undefined;

  const lastGoodKeys = () => {
    if (lastGood?.uat !== cache.uat) lastGood = { uat: cache.uat, getKey: createLocalJWKSet(cache.jwks) };
    return lastGood.getKey;
  };

  async function fromLastGood(...args: Parameters<JWTVerifyGetKey>) {
    try {
      return await lastGoodKeys()(...args);
    } catch (error) {
      // The kid may be a new key that the failed refresh would have brought.
      if (error instanceof errors.JWKSNoMatchingKey) throw new AuthUnavailableError('key set unavailable', { cause: error });
      throw error;
    }
  }

  return async function getKey(...args: Parameters<JWTVerifyGetKey>) {
    const now = nowMs();
    const staleUsable = cache.uat !== undefined && now - cache.uat <= options.maxStaleMs;
    if (staleUsable && now - lastFailureMs < options.retryAfterFailureMs) return fromLastGood(...args);
    try {
      return await remote(...args);
    } catch (error) {
      if (!isFetchFailure(error)) throw error;
      lastFailureMs = now;
      if (!staleUsable) throw new AuthUnavailableError('key set unavailable', { cause: error });
      return fromLastGood(...args);
    }
  };
}

/** Timeouts, network errors, non-200 answers and bodies that are no key set: the issuer's fault, not the token's. */
function isFetchFailure(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === errors.JOSEError.code;
}
