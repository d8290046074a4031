/** Metric names and dimensions, shared by the functions (emitting) and the stack (alarms, dashboard). */
export const METRICS_NAMESPACE = 'TimeTrackingApi';
export const SERVICE_NAME = 'time-tracking-api';

export const METRIC = {
  /** One per handled request; dimension sets {service, route, outcome} and {service, outcome}. */
  requests: 'Requests',
  /** One per authorizer invocation; dimension sets {service, outcome}, and {service, outcome, reason} for refusals. */
  authentications: 'Authentications',
  /** The rate-limit counter could not be updated and the request went on (fail open); {service}. */
  rateLimitCounterFailures: 'RateLimitCounterFailures',
  /** Deliveries queued by the webhook fan-out; {service}. */
  webhookDeliveriesQueued: 'WebhookDeliveriesQueued',
  /** Webhook delivery attempts; {service, outcome}: delivered, retry, dropped. */
  webhookAttempts: 'WebhookAttempts',
} as const;

/** Outcomes the stack alarms on. */
export const OUTCOME = {
  rateLimited: 'rate_limited',
  authorizerTransientFailure: 'transient_failure',
} as const;
