import { UnauthenticatedError } from '../errors.ts';
import { parseScopes } from './scopes.ts';

/**
 * The authorizer's answer (docs/auth.md), as API Gateway passes it to every handler in
 * `requestContext.authorizer.lambda`. Values are flat strings and numbers on purpose: they
 * survive any authorizer-context encoding. `expires_at` (epoch seconds) is absent for a
 * credential that never expires; `key_id` names the API key of an `api_key` credential.
 */
export type AuthorizerContext = { principal_id: string; auth_method: AuthMethod; scopes: string; expires_at?: number; key_id?: string } | { auth_error: string };

export type AuthMethod = 'jwt' | 'api_key';

export type Principal = {
  userId: number;
  authMethod: AuthMethod;
  scopes: Set<string>;
  /** Epoch seconds from which the credential is refused; undefined: it never expires. */
  expiresAt: number | undefined;
  /** The public id of the API key this is (absent for a JWT): a key may revoke itself whatever its scopes. */
  keyId?: string;
};

/**
 * Rebuilds the principal from the authorizer context, or throws 401. API Gateway caches
 * the authorizer's answer for its TTL, which can outlive a token: hence the expiry check
 * here, by the same rule as the authorizer's (the tolerance is already in `expires_at`).
 */
export function principalFromAuthorizerContext(context: unknown, now: Date): Principal {
  if (!context || typeof context !== 'object') throw new UnauthenticatedError('no authorizer context');
  const values = context as Record<string, unknown>;
  if (typeof values.auth_error === 'string') throw new UnauthenticatedError(values.auth_error);
  const principalId = values.principal_id;
  if (typeof principalId !== 'string' || !/^[1-9]\d{0,15}$/.test(principalId) || !Number.isSafeInteger(Number(principalId))) {
    throw new UnauthenticatedError('malformed principal');
  }
  const authMethod = values.auth_method;
  if (authMethod !== 'jwt' && authMethod !== 'api_key') throw new UnauthenticatedError('unknown auth method');
  const expiresAt = values.expires_at === undefined ? undefined : Number(values.expires_at);
  if (expiresAt !== undefined && !Number.isFinite(expiresAt)) throw new UnauthenticatedError('malformed expiry');
  if (isExpired(expiresAt, now)) throw new UnauthenticatedError('credential expired');
  const keyId = authMethod === 'api_key' && typeof values.key_id === 'string' && /^[0-9a-f]{16}$/.test(values.key_id) ? values.key_id : undefined;
  return { userId: Number(principalId), authMethod, scopes: parseScopes(values.scopes), expiresAt, ...(keyId ? { keyId } : {}) };
}

/** The one expiry rule of every credential: refused from `expiresAt` on. */
export function isExpired(expiresAt: number | undefined, now: Date): boolean {
  return expiresAt !== undefined && expiresAt * 1000 <= now.getTime();
}

export function authorizerContextOf(principal: Principal): AuthorizerContext {
  return {
    principal_id: String(principal.userId),
    auth_method: principal.authMethod,
    scopes: [...principal.scopes].join(' '),
    ...(principal.expiresAt === undefined ? {} : { expires_at: principal.expiresAt }),
    ...(principal.keyId === undefined ? {} : { key_id: principal.keyId }),
  };
}
