import type { Logger } from '@aws-lambda-powertools/logger';
import { DependencyUnavailableError } from '../errors.ts';
import { API_KEY_PREFIX, hashApiKey, looksLikeApiKey, type ApiKeyLookup } from './api-keys.ts';
import { AuthFailure, AuthUnavailableError } from './auth-errors.ts';
import { authorizerContextOf, isExpired, type AuthorizerContext, type Principal } from './principal.ts';
import { parseScopes } from './scopes.ts';

export type AuthenticatorDeps = {
  verifyJwt: (token: string) => Promise<Principal>;
  findApiKey: (hash: string) => Promise<ApiKeyLookup>;
  clock: { now: () => Date };
  logger: Logger;
};

/**
 * Establishes who the caller is from the Authorization header alone (docs/auth.md).
 * A definite refusal is an `auth_error` context, which the handlers answer with 401 in the
 * contract's envelope (an HTTP API cannot shape an authorizer's deny response); it may be
 * cached. A credential that cannot be checked now (DynamoDB or the JWKS unavailable) throws
 * AuthUnavailableError: the authorizer fails, API Gateway answers 500 and caches nothing,
 * so the same credential works on its first request after recovery.
 */
export function createAuthenticator(deps: AuthenticatorDeps) {
  async function principalFor(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new AuthFailure('missing credentials');
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!match) throw new AuthFailure('not a bearer credential');
    const credential = match[1]!;
    if (credential.startsWith(API_KEY_PREFIX)) return principalForApiKey(credential);
    return deps.verifyJwt(credential);
  }

  async function principalForApiKey(key: string): Promise<Principal> {
    // Malformed keys cost no DynamoDB call.
    if (!looksLikeApiKey(key)) throw new AuthFailure('malformed api key');
    const lookup = await deps.findApiKey(hashApiKey(key)).catch((error: unknown) => {
      if (error instanceof DependencyUnavailableError) throw new AuthUnavailableError('api key store unavailable', { cause: error });
      throw error;
    });
    if (lookup.status === 'unknown') throw new AuthFailure('unknown api key');
    if (lookup.status === 'malformed') throw new AuthFailure('unreadable api key record');
    const { record } = lookup;
    if (record.revokedAt !== null) throw new AuthFailure('revoked api key');
    const expiresAt = record.expiresAt === null ? undefined : Math.floor(Date.parse(record.expiresAt) / 1000);
    if (isExpired(expiresAt, deps.clock.now())) throw new AuthFailure('expired api key');
    return { userId: record.userId, authMethod: 'api_key', scopes: parseScopes(record.scopes.join(' ')), expiresAt, keyId: record.keyId };
  }

  return async function authenticate(authorization: string | undefined): Promise<AuthorizerContext> {
    try {
      const principal = await principalFor(authorization);
      deps.logger.info('authenticated', { principal_id: principal.userId, auth_method: principal.authMethod });
      return authorizerContextOf(principal);
    } catch (error) {
      if (!(error instanceof AuthFailure)) {
        deps.logger.error('credential could not be checked: failing the authorizer (API Gateway answers 500, caches nothing)', {
          error_name: (error as Error)?.name,
          cause_name: ((error as Error)?.cause as Error | undefined)?.name,
        });
        throw error;
      }
      deps.logger.info('authentication refused', { reason: error.message });
      return { auth_error: error.message };
    }
  };
}
