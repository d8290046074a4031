import { UnauthenticatedError } from '../errors.ts';
import { parseScopes } from './scopes.ts';

/**
 * The authorizer's answer (DESIGN §2), as API Gateway passes it to every handler in
 * `requestContext.authorizer.lambda`. Values are flat strings and numbers on purpose: they
 * survive any authorizer-context encoding.
 */
export type AuthorizerContext =
  | { principal_id: string; auth_method: AuthMethod; scopes: string; expires_at: number }
  | { auth_error: string };

export type AuthMethod = 'jwt' | 'api_key';

export type Principal = {
  userId: number;
  authMethod: AuthMethod;
  scopes: Set<string>;
  /** Epoch seconds; 0 for a credential that does not expire. */
  expiresAt: number;
};

/** `expires_at: 0` means the credential has no expiry (an API key without one). */
export const NEVER_EXPIRES = 0;

/**
 * Rebuilds the principal from the authorizer context, or throws 401. API Gateway caches
 * the authorizer's answer for its TTL, which can outlive a token: hence the expiry check here.
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
  const expiresAt = Number(values.expires_at);
  if (!Number.isFinite(expiresAt)) throw new UnauthenticatedError('malformed expiry');
  if (expiresAt !== NEVER_EXPIRES && expiresAt * 1000 <= now.getTime()) throw new UnauthenticatedError('credential expired');
  return { userId: Number(principalId), authMethod, scopes: parseScopes(values.scopes), expiresAt };
}

export function authorizerContextOf(principal: Principal): AuthorizerContext {
  return {
    principal_id: String(principal.userId),
    auth_method: principal.authMethod,
    scopes: [...principal.scopes].join(' '),
    expires_at: principal.expiresAt,
  };
}
