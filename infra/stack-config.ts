import { ALLOWED_JWT_ALGORITHMS } from '../shared/config/auth-config.ts';
import { DEFAULT_DELIVERY_CONCURRENCY } from '../shared/contracts/event-source-settings.ts';
import type { AlarmThresholds } from './monitoring.ts';

/**
 * Deployment settings, from CDK context (`cdk deploy -c jwksUrl=…`), validated at synth
 * with one message that names every missing or malformed value.
 */
export type StackConfig = {
  jwksUrl: string;
  jwtIssuer: string;
  jwtAudience: string;
  jwtUserIdClaim: string;
  jwtAlgorithms: string;
  authorizerCacheTtlSeconds: number;
  throttlingRateLimit: number;
  throttlingBurstLimit: number;
  corsAllowedOrigins: string[];
  logRetentionDays: number;
  /** Throwaway stage: no deletion protection, the table is destroyed with the stack. */
  throwaway: boolean;
  /** Only for `sam local`: points the functions at DynamoDB Local. Never set it to deploy. */
  localDynamodbEndpoint: string | undefined;
  /** Requests per minute per authenticated user; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Lambda active tracing (X-Ray) on every function. */
  tracing: boolean;
  /** Subscribed to the alarm topic when set. */
  alarmEmail: string | undefined;
  /** Webhook deliveries in flight at most: the queue source's maximum concurrency and the delivery function's reserved concurrency. */
  webhookDeliveryConcurrency: number;
  alarms: AlarmThresholds;
};

type ContextReader = (key: string) => unknown;

/** CloudWatch Logs' allowed retention periods. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export class StackConfigError extends Error {
  override name = 'StackConfigError';
}

export function readStackConfig(context: ContextReader): StackConfig {
  const problems: string[] = [];
  const text = (key: string, fallback?: string): string => {
    const value = context(key);
    if (value === undefined || value === null || value === '') {
      if (fallback === undefined) problems.push(`context "${key}" is required (cdk deploy -c ${key}=…)`);
      return fallback ?? '';
    }
    return String(value).trim();
  };
  const integer = (key: string, fallback: number, min: number, max: number): number => {
    const raw = text(key, String(fallback));
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`context "${key}" must be an integer from ${min} to ${max} (got "${raw}")`);
    return value;
  };
  const flag = (key: string): boolean => {
    const raw = text(key, 'false');
    if (raw !== 'true' && raw !== 'false') problems.push(`context "${key}" must be true or false (got "${raw}")`);
    return raw === 'true';
  };

  const jwksUrl = text('jwksUrl');
  if (jwksUrl && !/^https:\/\/[^\s/]+/.test(jwksUrl)) problems.push(`context "jwksUrl" must be an https:// URL (got "${jwksUrl}")`);
  const jwtAlgorithms = text('jwtAlgorithms', 'RS256,ES256');
  const badAlgorithms = jwtAlgorithms
    .split(',')
    .map((alg) => alg.trim())
    .filter((alg) => !(ALLOWED_JWT_ALGORITHMS as readonly string[]).includes(alg));
  if (badAlgorithms.length > 0) problems.push(`context "jwtAlgorithms" may only list ${ALLOWED_JWT_ALGORITHMS.join(', ')} (got ${badAlgorithms.join(', ')})`);
  const corsAllowedOrigins = text('corsAllowedOrigins', '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsAllowedOrigins) {
    if (!/^https?:\/\/[^\s/]+$/.test(origin)) problems.push(`context "corsAllowedOrigins" takes origins like https://app.example.com (got "${origin}")`);
  }
  const logRetentionDays = integer('logRetentionDays', 30, 1, 3653);
  if (!RETENTION_DAYS.includes(logRetentionDays)) problems.push(`context "logRetentionDays" must be one of ${RETENTION_DAYS.join(', ')}`);

  const config: StackConfig = {
    jwksUrl,
    jwtIssuer: text('jwtIssuer'),
    jwtAudience: text('jwtAudience'),
    jwtUserIdClaim: text('jwtUserIdClaim', 'sub'),
    jwtAlgorithms,
    authorizerCacheTtlSeconds: integer('authorizerCacheTtlSeconds', 300, 0, 3600),
    throttlingRateLimit: integer('throttlingRateLimit', 50, 1, 10000),
    throttlingBurstLimit: integer('throttlingBurstLimit', 100, 1, 5000),
    corsAllowedOrigins,
    logRetentionDays,
    throwaway: flag('throwaway'),
    localDynamodbEndpoint: text('localDynamodbEndpoint', '') || undefined,
    rateLimitPerMinute: integer('rateLimitPerMinute', 60, 0, 1_000_000),
    tracing: flag('tracing'),
    alarmEmail: text('alarmEmail', '') || undefined,
    webhookDeliveryConcurrency: integer('webhookDeliveryConcurrency', DEFAULT_DELIVERY_CONCURRENCY, 2, 1000),
    alarms: {
      api5xxPercent: integer('alarmApi5xxPercent', 5, 1, 100),
      apiP99LatencyMs: integer('alarmApiP99LatencyMs', 2000, 50, 30000),
      durationP99PercentOfTimeout: integer('alarmDurationP99PercentOfTimeout', 80, 10, 100),
      rateLimitedPer5Minutes: integer('alarmRateLimitedPer5Minutes', 300, 1, 10_000_000),
      authorizerTransientFailuresPer5Minutes: integer('alarmAuthorizerTransientFailuresPer5Minutes', 5, 1, 1_000_000),
      webhookQueueOldestMessageMinutes: integer('alarmWebhookQueueOldestMessageMinutes', 60, 1, 20_160),
    },
  };
  if (config.alarmEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(config.alarmEmail)) problems.push(`context "alarmEmail" must be an email address (got "${config.alarmEmail}")`);
  if (config.localDynamodbEndpoint && !/^http:\/\/[^\s/]+(:\d+)?\/?$/.test(config.localDynamodbEndpoint)) {
    problems.push(`context "localDynamodbEndpoint" must be an http:// URL such as http://host.docker.internal:8000 (got "${config.localDynamodbEndpoint}")`);
  }
  if (problems.length > 0) throw new StackConfigError(`Invalid stack configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
