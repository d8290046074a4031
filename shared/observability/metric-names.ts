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
  /** Webhooks turned off by their receiver (410 Gone); {service, reason}. */
  webhooksDisabled: 'WebhooksDisabled',
  /** Auto-stop schedules created or deleted by the schedules function; {service}. */
  autoStopSchedulesChanged: 'AutoStopSchedulesChanged',
  /** Auto-stop invocations; {service, outcome}: stopped, not_running (already stopped), invalid_input. */
  autoStops: 'AutoStops',
} as const;

/** Outcomes the stack alarms on. */
export const OUTCOME = {
  rateLimited: 'rate_limited',
  authorizerTransientFailure: 'transient_failure',
} as const;

/** Every `outcome` of the Authentications metric. */
export const AUTHORIZER_OUTCOMES = ['jwt_accepted', 'api_key_accepted', 'refused', OUTCOME.authorizerTransientFailure] as const;

/** Every `outcome` of the WebhookAttempts metric (shared/webhooks/delivery.ts). */
export const WEBHOOK_ATTEMPT_OUTCOMES = ['delivered', 'retry', 'dropped'] as const;

/**
 * The `outcome`s of the Requests metric besides each route's success outcome (the route
 * table) and the error codes of the envelope (shared/errors.ts, the error mapper).
 */
export const REQUEST_OUTCOMES = ['replayed', 'internal_error'] as const;
