import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { createAuthenticator } from '../../shared/auth/authenticate.ts';
import { createJwtVerifier } from '../../shared/auth/jwt-verifier.ts';
import type { AuthorizerContext } from '../../shared/auth/principal.ts';
import { loadJwtConfig } from '../../shared/config/auth-config.ts';
import { apiKeyRepository } from '../../shared/db/default-repositories.ts';
import { logger } from '../../shared/observability/logger.ts';
import { systemClock } from '../../shared/tracking/api-time.ts';

const authenticate = createAuthenticator({
  verifyJwt: createJwtVerifier(loadJwtConfig()),
  findApiKey: apiKeyRepository.findByHash,
  clock: systemClock,
  logger,
});

/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses). It reads nothing but the
 * Authorization header (its identity source and cache key) and always authorizes: who the
 * caller is travels in the context, and each handler decides (DESIGN §2).
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const context = await authenticate(event.headers?.authorization);
  return { isAuthorized: true, context };
}
