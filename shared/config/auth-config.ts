import { checks, envReader, type Env } from './read-env.ts';

/** Asymmetric algorithms only: a symmetric one would let a JWKS public key sign tokens. */
export const ALLOWED_JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

export type JwtConfig = {
  jwksUrl: string;
  issuer: string;
  audience: string;
  userIdClaim: string;
  algorithms: string[];
  clockToleranceSeconds: number;
};

export function loadJwtConfig(env: Env = process.env): JwtConfig {
  const read = envReader(env);
  const config = {
    jwksUrl: read.required('AUTH_JWKS_URL', checks.url),
    issuer: read.required('AUTH_ISSUER'),
    audience: read.required('AUTH_AUDIENCE'),
    userIdClaim: read.optional('AUTH_USER_ID_CLAIM', 'sub', (value) => (/^[\w:./-]{1,100}$/.test(value) ? undefined : 'must be a claim name')),
    algorithms: read
      .optional('AUTH_ALGORITHMS', 'RS256,ES256', (value) => {
        const unknown = value
          .split(',')
          .map((alg) => alg.trim())
          .filter((alg) => !(ALLOWED_JWT_ALGORITHMS as readonly string[]).includes(alg));
        return unknown.length === 0 ? undefined : `may only list asymmetric algorithms (${ALLOWED_JWT_ALGORITHMS.join(', ')}); not ${unknown.join(', ')}`;
      })
      .split(',')
      .map((alg) => alg.trim()),
    clockToleranceSeconds: Number(read.optional('AUTH_CLOCK_TOLERANCE_SECONDS', '5', (value) => (/^\d{1,3}$/.test(value) ? undefined : 'must be 0-999'))),
  };
  read.done();
  return config;
}
