import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TrackingFunction } from './tracking-function.ts';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { AUTHORIZER_OUTCOMES, METRIC, METRICS_NAMESPACE, OUTCOME, SERVICE_NAME, WEBHOOK_ATTEMPT_OUTCOMES } from '../shared/observability/metric-names.ts';

/** Alarm thresholds (docs/operations.md says what each alarm means and what to do). */
export type AlarmThresholds = {
  /** The API's 5xx answers, in percent of requests over 5 minutes. */
  api5xxPercent: number;
  /** The API's p99 latency over 5 minutes, in ms. */
  apiP99LatencyMs: number;
  /** A function's p99 duration, in percent of its timeout. */
  durationP99PercentOfTimeout: number;
  /** Rate-limited requests over 5 minutes, all users together. */
  rateLimitedPer5Minutes: number;
  /** Authorizer transient failures over 5 minutes. */
  authorizerTransientFailuresPer5Minutes: number;
  /** The age of the oldest webhook delivery waiting in its queue, in minutes: a backlog every workspace waits behind. */
  webhookQueueOldestMessageMinutes: number;
};

export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  api5xxPercent: 5,
  apiP99LatencyMs: 2000,
  durationP99PercentOfTimeout: 80,
  rateLimitedPer5Minutes: 300,
  authorizerTransientFailuresPer5Minutes: 5,
  webhookQueueOldestMessageMinutes: 60,
};

export type MonitoringProps = {
  stage: HttpStage;
  table: dynamodb.TableV2;
  /** Every function of the stack (named by its folder under functions/: TrackingFunction.name). */
  functions: ReadonlyArray<TrackingFunction>;
  routeKeys: readonly string[];
  thresholds: AlarmThresholds;
  alarmEmail: string | undefined;
  /** An existing topic to send the alarms to; a new KMS-encrypted one otherwise. */
  alarmTopic?: sns.ITopic;
  /** Webhook deliveries that exhausted their retries. */
  webhookDeadLetters: sqs.IQueue;
  /** The webhook delivery queue itself: its oldest message's age says whether deliveries keep up. */
  webhookDeliveries: sqs.IQueue;
  /** Pointers to stream records that could not be fanned out (they expire with the stream, in 24 hours). */
  webhookStreamFailures: sqs.IQueue;
  /** Auto-stops that failed: schedules EventBridge Scheduler could not invoke, and invocations that kept failing. */
  autoStopDeadLetters: sqs.IQueue;
  /** Pointers to stream records whose auto-stop schedule could not be created or deleted. */
  autoStopStreamFailures: sqs.IQueue;
  /** Export jobs whose end could not be recorded, three times. */
  exportDeadLetters: sqs.IQueue;
};

const FIVE_MINUTES = Duration.minutes(5);

/** The most metrics one alarm's math may hold (CloudWatch's hard limit). */
const METRICS_PER_ALARM = 10;

/** The functions in groups of at most ten that share a timeout, in the order given: the groups the function alarms watch. */
function functionGroups(functions: ReadonlyArray<TrackingFunction>): TrackingFunction[][] {
  const byTimeout = new Map<number, TrackingFunction[]>();
  for (const fn of functions) {
    const timeoutMs = (fn.timeout ?? TrackingFunction.TIMEOUT).toMilliseconds();
    byTimeout.set(timeoutMs, [...(byTimeout.get(timeoutMs) ?? []), fn]);
  }
  return [...byTimeout.values()].flatMap((sameTimeout) =>
    Array.from({ length: Math.ceil(sameTimeout.length / METRICS_PER_ALARM) }, (_, at) => sameTimeout.slice(at * METRICS_PER_ALARM, (at + 1) * METRICS_PER_ALARM)),
  );
}

/**
 * What a team needs to see the service misbehave (docs/operations.md): alarms on the API,
 * every function, the table and the service's own metrics, all sending to one encrypted SNS
 * topic, and one dashboard.
 */
export class Monitoring extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { stage, table, thresholds } = props;

    this.topic = props.alarmTopic ?? this.encryptedTopic();
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const created = new cloudwatch.Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    const requests = stage.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    const serverErrors = stage.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const serverErrorRate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      period: FIVE_MINUTES,
      label: 'API 5xx (% of requests)',
    });
    const latencyP99 = stage.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' });
    alarm('Api5xxRate', serverErrorRate, thresholds.api5xxPercent, `The API answered 5xx to ${thresholds.api5xxPercent}% or more of requests over 5 minutes.`);
    alarm('ApiLatencyP99', latencyP99, thresholds.apiP99LatencyMs, `The API's p99 latency reached ${thresholds.apiP99LatencyMs} ms over 5 minutes.`);

    // Three alarms per ten functions, not three per function: a route then costs the stack no alarm of its own, which
    // keeps it under CloudFormation's 500 resources (docs/deploy.md, "How big the stack may grow"). An alarm's metric
    // math holds at most 10 metrics; each alarm takes the worst of its functions, and its graph shows which one.
    for (const [index, group] of functionGroups(props.functions).entries()) {
      const names = group.map((fn) => fn.trackingName).join(', ');
      const timeout = group[0]!.timeout ?? TrackingFunction.TIMEOUT;
      const worstOf = (label: string, metricOf: (fn: TrackingFunction) => cloudwatch.IMetric) =>
        new cloudwatch.MathExpression({
          expression: `MAX([${group.map((_, at) => `f${at}`).join(', ')}])`,
          usingMetrics: Object.fromEntries(group.map((fn, at) => [`f${at}`, metricOf(fn)])),
          period: FIVE_MINUTES,
          label,
        });
      const number = index + 1;
      alarm(
        `FunctionErrors${number}`,
        worstOf('failed invocations (the worst function)', (fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: fn.trackingName })),
        1,
        `A function failed (an unhandled error, a crash or a timeout): one of ${names}.`,
      );
      alarm(
        `FunctionThrottles${number}`,
        worstOf('throttled invocations (the worst function)', (fn) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum', label: fn.trackingName })),
        1,
        `Lambda throttled invocations (concurrency limit reached) of one of ${names}.`,
      );
      alarm(
        `FunctionDurationP99${number}`,
        worstOf('p99 duration (the worst function)', (fn) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label: fn.trackingName })),
        Math.round((timeout.toMilliseconds() * thresholds.durationP99PercentOfTimeout) / 100),
        `The p99 duration of one of ${names} reached ${thresholds.durationP99PercentOfTimeout}% of its ${timeout.toSeconds()} s timeout.`,
      );
    }

    // The operations the service performs (an alarm's math may hold at most 10 metrics).
    const operations = [
      dynamodb.Operation.GET_ITEM,
      dynamodb.Operation.BATCH_GET_ITEM,
      dynamodb.Operation.PUT_ITEM,
      dynamodb.Operation.UPDATE_ITEM,
      dynamodb.Operation.DELETE_ITEM,
      dynamodb.Operation.QUERY,
      dynamodb.Operation.TRANSACT_WRITE_ITEMS,
    ];
    const tableThrottles = table.metricThrottledRequestsForOperations({ operations, period: FIVE_MINUTES });
    const tableSystemErrors = table.metricSystemErrorsForOperations({ operations, period: FIVE_MINUTES });
    alarm('TableThrottledRequests', tableThrottles, 1, 'DynamoDB throttled requests to the table.');
    alarm('TableSystemErrors', tableSystemErrors, 1, 'DynamoDB answered requests to the table with system errors (5xx).');

    const serviceMetric = (metricName: string, dimensions: Record<string, string>, label: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: SERVICE_NAME, ...dimensions }, period: FIVE_MINUTES, statistic: 'Sum', label });
    const authorizerTransient = serviceMetric(METRIC.authentications, { outcome: OUTCOME.authorizerTransientFailure }, 'authorizer transient failures');
    const rateLimited = serviceMetric(METRIC.requests, { outcome: OUTCOME.rateLimited }, 'rate limited');
    alarm(
      'AuthorizerTransientFailures',
      authorizerTransient,
      thresholds.authorizerTransientFailuresPer5Minutes,
      'The authorizer could not check credentials (DynamoDB or the JWKS unavailable): callers got 500.',
    );
    // Queues nothing consumes but an operator: one message is already a failure to act on.
    const failureQueues: Array<[string, sqs.IQueue, string]> = [
      ['WebhookDeadLetters', props.webhookDeadLetters, 'Webhook deliveries failed for about a day: they wait in the dead-letter queue (docs/operations.md, Runbooks).'],
      ['WebhookStreamFailures', props.webhookStreamFailures, 'Table stream records could not be fanned out to webhooks: re-read them within 24 hours of the event (docs/operations.md, Runbooks).'],
      [
        'AutoStopDeadLetters',
        props.autoStopDeadLetters,
        'A forgotten tracker could not be stopped at its limit: it keeps running until stopped by hand; the message names it (docs/operations.md, Runbooks).',
      ],
      [
        'AutoStopStreamFailures',
        props.autoStopStreamFailures,
        'A tracker with a limit got no auto-stop schedule (or a stopped one kept its schedule, which then does nothing): re-read the records within 24 hours (docs/operations.md, Runbooks).',
      ],
      ['ExportDeadLetters', props.exportDeadLetters, 'An export job could not record its end three times: its export stays running; the message names it (docs/operations.md, Runbooks).'],
    ];
    for (const [id, queue, description] of failureQueues) alarm(id, queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }), 1, description);
    // A delivery retried three times or more no longer counts in this metric (SQS moves it aside): what it shows is a
    // backlog of first attempts, which every workspace's events wait behind (a flood of replays, a slow receiver).
    alarm(
      'WebhookDeliveryBacklog',
      props.webhookDeliveries.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      thresholds.webhookQueueOldestMessageMinutes * 60,
      `Webhook deliveries wait more than ${thresholds.webhookQueueOldestMessageMinutes} minutes in their queue: deliveries do not keep up (docs/webhooks.md "Fairness and limits").`,
    );
    alarm(
      'WebhooksDisabled',
      serviceMetric(METRIC.webhooksDisabled, { reason: 'gone' }, 'webhooks disabled'),
      1,
      'A receiver answered 410 Gone: its webhook was turned off and receives nothing until it is enabled again (PATCH /webhooks/{id}; docs/guide.md, Webhooks).',
    );
    alarm(
      'RateLimiterFailingOpen',
      serviceMetric(METRIC.rateLimitCounterFailures, {}, 'rate limiter failing open'),
      1,
      'The rate-limit counter could not be updated: requests are let through unlimited (fail open) until it recovers.',
    );
    alarm('RateLimitedSurge', rateLimited, thresholds.rateLimitedPer5Minutes, 'Many requests were rate limited: a runaway client, or a limit too low.');

    const outcome = (value: string) => serviceMetric(METRIC.requests, { outcome: value }, value);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'API requests and errors', left: [requests, serverErrors, stage.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' })], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'API latency', left: ['p50', 'p90', 'p99'].map((statistic) => stage.metricLatency({ period: FIVE_MINUTES, statistic })), width: 8 }),
          new cloudwatch.GraphWidget({ title: 'API 5xx rate (%)', left: [serverErrorRate], width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Function duration p99',
            left: props.functions.map((fn) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99', label: fn.trackingName })),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Function errors and throttles',
            left: props.functions.flatMap((fn) => [
              fn.metricErrors({ period: FIVE_MINUTES, label: `${fn.trackingName} errors` }),
              fn.metricThrottles({ period: FIVE_MINUTES, label: `${fn.trackingName} throttles` }),
            ]),
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'DynamoDB consumed capacity',
            left: [table.metricConsumedReadCapacityUnits({ period: FIVE_MINUTES }), table.metricConsumedWriteCapacityUnits({ period: FIVE_MINUTES })],
            width: 6,
          }),
          // Two widgets: both expressions name their metrics by operation.
          new cloudwatch.GraphWidget({ title: 'DynamoDB throttled requests', left: [tableThrottles], width: 6 }),
          new cloudwatch.GraphWidget({ title: 'DynamoDB system errors', left: [tableSystemErrors], width: 6 }),
          new cloudwatch.GraphWidget({ title: 'Authorizer', left: AUTHORIZER_OUTCOMES.map((value) => serviceMetric(METRIC.authentications, { outcome: value }, value)), width: 6 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Business outcomes',
            left: ['started', 'stopped', 'tracker_already_active', 'no_active_tracker', 'replayed'].map(outcome),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Webhooks',
            left: [serviceMetric(METRIC.webhookDeliveriesQueued, {}, 'queued'), ...WEBHOOK_ATTEMPT_OUTCOMES.map((value) => serviceMetric(METRIC.webhookAttempts, { outcome: value }, value))],
            right: [props.webhookDeadLetters.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum', label: 'dead letters' })],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Refusals and failures',
            left: ['unauthenticated', 'forbidden', 'insufficient_scope', 'not_found', 'validation_failed', 'bad_request', OUTCOME.rateLimited, 'service_unavailable', 'internal_error'].map(outcome),
            width: 8,
          }),
        ],
      ],
    });
  }

  /** CloudWatch alarms can publish to an encrypted topic only with a customer managed key that lets them. */
  private encryptedTopic(): sns.Topic {
    const key = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Encrypts the Time Tracking API alarm topic' });
    // Only this account's alarms (confused deputy: CloudWatch acting for another account).
    const { account, region, partition } = Stack.of(this);
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` } },
      }),
    );
    return new sns.Topic(this, 'AlarmTopic', { displayName: 'Time Tracking API alarms', masterKey: key, enforceSSL: true });
  }
}
