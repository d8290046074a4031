/**
 * The two ways authentication can fail (docs/auth.md), kept apart because API Gateway caches
 * the authorizer's answers: a definite refusal is answered (401, cacheable), a transient
 * failure is thrown (API Gateway answers 500 and caches nothing).
 */

/** The credential is definitely bad: why is logged and passed on as `auth_error`, never the token. */
export class AuthFailure extends Error {
  override name = 'AuthFailure';
}

/** The credential could not be checked now (key store or key set unreachable): retry. */
export class AuthUnavailableError extends Error {
  override name = 'AuthUnavailableError';
}
