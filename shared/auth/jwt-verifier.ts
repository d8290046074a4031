import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JwtConfig } from '../config/auth-config.ts';
import { parseScopes } from './scopes.ts';
import type { Principal } from './principal.ts';

/** Why a credential was refused: logged, and passed on as `auth_error`, never the token. */
export class AuthFailure extends Error {
  override name = 'AuthFailure';
}

/**
 * OAuth2 access tokens: signature against the remote JWKS (fetched once, cached, refetched
 * on an unknown `kid` at most every 30 s), an asymmetric algorithm allow-list, required
 * `exp`, checked `iss` and `aud`, and a small clock tolerance.
 */
export function createJwtVerifier(config: JwtConfig) {
  const jwks = createRemoteJWKSet(new URL(config.jwksUrl), {
    timeoutDuration: 2000,
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
  });

  return async function verifyJwt(token: string): Promise<Principal> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        algorithms: config.algorithms,
        issuer: config.issuer,
        audience: config.audience,
        clockTolerance: config.clockToleranceSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw new AuthFailure(reasonFor(error));
    }
    const userId = payload[config.userIdClaim];
    if (typeof userId !== 'string' || !/^[1-9]\d{0,15}$/.test(userId) || !Number.isSafeInteger(Number(userId))) {
      throw new AuthFailure('user claim is not a positive integer');
    }
    return { userId: Number(userId), authMethod: 'jwt', scopes: parseScopes(payload.scope), expiresAt: Number(payload.exp) };
  };
}

function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} invalid`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'no matching key';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError && error.code === 'ERR_JWKS_INVALID') return 'key set unavailable';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'invalid signature';
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return 'malformed token';
  if (error instanceof errors.JOSEError) return error.code.toLowerCase().replace(/^err_/, '').replaceAll('_', ' ');
  // fetch failures (JWKS endpoint down) surface as plain errors
  return 'key set unavailable';
}
