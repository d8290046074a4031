import { errors, jwtVerify } from 'jose';
import type { JwtConfig } from '../config/auth-config.ts';
import { AuthFailure, AuthUnavailableError } from './auth-errors.ts';
import type { Principal } from './principal.ts';
import { createResilientJwks } from './resilient-jwks.ts';
import { parseScopes } from './scopes.ts';

/** How long the last good key set stands in while the issuer's JWKS cannot be fetched. */
export const JWKS_MAX_STALE_MS = 24 * 60 * 60 * 1000;

/**
 * OAuth2 access tokens: signature against the issuer's key set (./resilient-jwks.ts), an
 * asymmetric algorithm allow-list, required `exp`, checked `iss` and `aud`, and a small
 * clock tolerance. The principal's `expiresAt` includes that tolerance, so that handlers
 * refuse a cached principal at exactly the moment the verifier would (docs/auth.md).
 */
export function createJwtVerifier(config: JwtConfig) {
  const keySet = createResilientJwks(new URL(config.jwksUrl), { timeoutMs: 2000, maxStaleMs: JWKS_MAX_STALE_MS, retryAfterFailureMs: 30_000 });

  return async function verifyJwt(token: string): Promise<Principal> {
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        algorithms: config.algorithms,
        issuer: config.issuer,
        audience: config.audience,
        clockTolerance: config.clockToleranceSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      if (error instanceof AuthUnavailableError) throw error;
      throw new AuthFailure(reasonFor(error));
    }
    const userId = payload[config.userIdClaim];
    if (typeof userId !== 'string' || !/^[1-9]\d{0,15}$/.test(userId) || !Number.isSafeInteger(Number(userId))) {
      throw new AuthFailure('user claim is not a positive integer');
    }
    return {
      userId: Number(userId),
      authMethod: 'jwt',
      scopes: parseScopes(payload.scope),
      expiresAt: Number(payload.exp) + config.clockToleranceSeconds,
    };
  };
}

function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} invalid`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'no matching key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'invalid signature';
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return 'malformed token';
  if (error instanceof errors.JOSEError) return error.code.toLowerCase().replace(/^err_/, '').replaceAll('_', ' ');
  return 'invalid token';
}
