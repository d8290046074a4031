import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { createAuthenticator } from '../../shared/auth/authenticate.ts';
import { createJwtVerifier } from '../../shared/auth/jwt-verifier.ts';
import type { AuthorizerContext } from '../../shared/auth/principal.ts';
import { loadJwtConfig } from '../../shared/config/auth-config.ts';
import { findApiKeyByHash } from '../../shared/db/default-repositories.ts';
import { systemClock } from '../../shared/http/clock.ts';
import { logger } from '../../shared/observability/logger.ts';

const authenticate = createAuthenticator({
  verifyJwt: createJwtVerifier(loadJwtConfig()),
  findApiKey: findApiKeyByHash,
  clock: systemClock,
  logger,
});

/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses). It reads nothing but the
 * Authorization header (its identity source and cache key). It authorizes every checked
 * credential: who the caller is, or why it was refused, travels in the context and each
 * handler decides. When the credential cannot be checked now it throws, so that API Gateway
 * answers 500 without caching anything (docs/auth.md).
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const context = await authenticate(event.headers?.authorization);
  return { isAuthorized: true, context };
}
