import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { createAuthenticator } from '../../shared/auth/authenticate.ts';
import { createJwtVerifier } from '../../shared/auth/jwt-verifier.ts';
import type { AuthorizerContext } from '../../shared/auth/principal.ts';
import type { ApiKeyLookup } from '../../shared/auth/api-keys.ts';
import { loadJwtConfig } from '../../shared/config/auth-config.ts';
import { loadDatabaseConfig } from '../../shared/config/database-config.ts';
import { systemClock } from '../../shared/http/clock.ts';
import { logger } from '../../shared/observability/logger.ts';
import { METRIC, OUTCOME } from '../../shared/observability/metric-names.ts';
import { metrics, withMetrics } from '../../shared/observability/metrics.ts';

// Validated at load, like every function's configuration: a bad TABLE_NAME fails the cold start.
loadDatabaseConfig();

let apiKeyStore: Promise<(hash: string) => Promise<ApiKeyLookup>> | undefined;
/**
 * The AWS SDK is loaded on the first API key, never for a JWT (docs/operations.md, cold
 * starts): `#api-key-store` is a bundle of its own beside this one (infra/bundle-options.ts,
 * LAZY_MODULES), so a JWT-only container does not even compile it.
 */
async function findApiKey(hash: string): Promise<ApiKeyLookup> {
  apiKeyStore ??= (import('#api-key-store') as Promise<typeof import('../../shared/db/api-key-store.ts')>).then(
    (store) => store.findApiKeyByHash,
    (error: unknown) => {
      apiKeyStore = undefined; // a failed load is retried by the next request
      throw error;
    },
  );
  return (await apiKeyStore)(hash);
}

const authenticate = createAuthenticator({
  verifyJwt: createJwtVerifier(loadJwtConfig()),
  findApiKey,
  clock: systemClock,
  logger,
});

/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses). It reads nothing but the
 * Authorization header (its identity source and cache key). It authorizes every checked
 * credential: who the caller is, or why it was refused, travels in the context and each
 * handler decides. When the credential cannot be checked now it throws, so that API Gateway
 * answers 500 without caching anything (docs/auth.md). Each outcome is counted
 * (docs/operations.md).
 */
export const handler = withMetrics(async function authorize(event: APIGatewayRequestAuthorizerEventV2): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  try {
    const context = await authenticate(event.headers?.authorization);
    if ('auth_error' in context) {
      metrics.addDimension('outcome', 'refused');
      const byReason = metrics.singleMetric();
      byReason.addDimensions({ outcome: 'refused', reason: context.auth_error });
      byReason.addMetric(METRIC.authentications, MetricUnit.Count, 1);
    } else {
      metrics.addDimension('outcome', `${context.auth_method}_accepted`);
    }
    return { isAuthorized: true, context };
  } catch (error) {
    metrics.addDimension('outcome', OUTCOME.authorizerTransientFailure);
    throw error;
  } finally {
    metrics.addMetric(METRIC.authentications, MetricUnit.Count, 1);
  }
});
