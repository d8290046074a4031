import type { Logger } from '@aws-lambda-powertools/logger';
import type { ApiKeyRecord } from './api-keys.ts';
import { hashApiKey, looksLikeApiKey, API_KEY_PREFIX } from './api-keys.ts';
import { AuthFailure } from './jwt-verifier.ts';
import { authorizerContextOf, NEVER_EXPIRES, type AuthorizerContext, type Principal } from './principal.ts';
import { parseScopes } from './scopes.ts';

export type AuthenticatorDeps = {
  verifyJwt: (token: string) => Promise<Principal>;
  findApiKey: (hash: string) => Promise<ApiKeyRecord | undefined>;
  clock: { now: () => Date };
  logger: Logger;
};

/**
 * Establishes who the caller is from the Authorization header alone, and never throws:
 * any failure is an `auth_error` context, which the handlers answer with 401 in the
 * contract's envelope (an HTTP API cannot shape an authorizer's deny response).
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
    const record = await deps.findApiKey(hashApiKey(key)).catch(() => {
      throw new AuthFailure('api key store unavailable');
    });
    if (!record) throw new AuthFailure('unknown api key');
    if (record.revokedAt) throw new AuthFailure('revoked api key');
    const expiresAt = record.expiresAt ? Math.floor(Date.parse(record.expiresAt) / 1000) : NEVER_EXPIRES;
    if (expiresAt !== NEVER_EXPIRES && expiresAt * 1000 <= deps.clock.now().getTime()) throw new AuthFailure('expired api key');
    return { userId: record.userId, authMethod: 'api_key', scopes: parseScopes(record.scopes.join(' ')), expiresAt };
  }

  return async function authenticate(authorization: string | undefined): Promise<AuthorizerContext> {
    try {
      const principal = await principalFor(authorization);
      deps.logger.info('authenticated', { principal_id: principal.userId, auth_method: principal.authMethod });
      return authorizerContextOf(principal);
    } catch (error) {
      const reason = error instanceof AuthFailure ? error.message : 'authentication failed';
      if (!(error instanceof AuthFailure)) deps.logger.error('authorizer failure', { error_name: (error as Error)?.name });
      deps.logger.info('authentication refused', { reason });
      return { auth_error: reason };
    }
  };
}
