import { ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { functionConstructId, pascalCase } from './construct-ids.ts';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { ApiMapping, type CfnStage, CorsHttpMethod, DomainName, HttpApi, HttpMethod, HttpNoneAuthorizer, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALLOWED_JWT_ALGORITHMS } from '../shared/config/auth-config.ts';
import {
  authorizerFunction,
  autoStopFunctions,
  corsPolicyOf,
  docsFunction,
  exportFunctions,
  exportQueueRoutes,
  exportReadRoutes,
  dynamodbActionsOf,
  publicRoutes,
  routeKey,
  routeList,
  secretSealerRoutes,
  webhookFunctions,
  webhookSenderRoutes,
  type RouteDefinition,
  type RouteName,
} from '../shared/contracts/routes.ts';
import { autoStopStreamFilterPatterns } from '../shared/scheduling/auto-stop-schedules.ts';
import { webhookStreamFilterPatterns } from '../shared/contracts/webhook-events.ts';
import { tableDefinition } from '../shared/db/table-definition.ts';
import { IDEMPOTENT_ANSWER_PURPOSE, WEBHOOK_SECRET_PURPOSE } from '../shared/crypto/kms-secret-box.ts';
import { MAX_DELIVERY_RECEIVES } from '../shared/webhooks/delivery.ts';
import {
  DEFAULT_DELIVERY_CONCURRENCY,
  DELIVERY_QUEUE_SOURCE,
  EXPORT_MAX_RECEIVES,
  EXPORT_QUEUE_SOURCE,
  EXPORT_WORKER_TIMEOUT_SECONDS,
  TABLE_STREAM_SOURCE,
} from '../shared/contracts/event-source-settings.ts';
import { EXPORT_FILE_DAYS } from '../shared/tracking/exports.ts';
import { DEFAULT_ALARM_THRESHOLDS, Monitoring, type AlarmThresholds } from './monitoring.ts';
import { TrackingFunction, type TrackingFunctionProps } from './tracking-function.ts';

export type JwtAlgorithm = (typeof ALLOWED_JWT_ALGORITHMS)[number];
const DEFAULT_JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['RS256', 'ES256'];

/** The OAuth2 issuer whose access tokens (JWTs) the authorizer accepts (docs/auth.md). */
export interface TimeTrackingApiAuthProps {
  /** The issuer's JWKS, an `https://` URL. */
  readonly jwksUrl: string;
  /** The `iss` every token must carry. */
  readonly issuer: string;
  /** The `aud` every token must carry. */
  readonly audience: string;
  /** The claim holding the numeric user id. @default 'sub' */
  readonly userIdClaim?: string;
  /** The asymmetric algorithms accepted. @default ['RS256', 'ES256'] */
  readonly algorithms?: readonly JwtAlgorithm[];
  /** How long API Gateway caches the authorizer's answer per Authorization header (0 to 1 hour). @default Duration.minutes(5) */
  readonly cacheTtl?: Duration;
}

/** A custom domain for the API: an API Gateway domain name, its mapping to the stage and, with a zone, the alias record. */
export interface TimeTrackingApiDomainProps {
  /** e.g. `time.example.com`. */
  readonly domainName: string;
  /** An ACM certificate for `domainName`, in the stack's region. */
  readonly certificate: ICertificate;
  /** When given, an alias A record for `domainName` is created in it. @default no record */
  readonly hostedZone?: route53.IHostedZone;
}

export interface TimeTrackingApiProps {
  /** The token issuer the authorizer trusts. */
  readonly auth: TimeTrackingApiAuthProps;
  /** Requests per minute per authenticated user, 0 for none (docs/operations.md). @default 60 */
  readonly rateLimitPerMinute?: number;
  /** API Gateway's stage throttle, the whole API. @default { rateLimit: 50, burstLimit: 100 } */
  readonly throttling?: { readonly rateLimit: number; readonly burstLimit: number };
  /** The throttle of each public route (`GET /docs`, `GET /openapi.json`): anonymous callers share it. @default { rateLimit: 5, burstLimit: 10 } */
  readonly publicThrottling?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Browser origins allowed by CORS (`https://app.example.com`). @default none: CORS off */
  readonly corsAllowedOrigins?: readonly string[];
  /** Subscribed to the alarm topic the construct creates. Not with `alarmTopic`. @default no subscription */
  readonly alarmEmail?: string;
  /** An existing topic the alarms are sent to (it must let CloudWatch publish to it). @default a new KMS-encrypted topic */
  readonly alarmTopic?: ITopic;
  /** Alarm thresholds (docs/operations.md). @default DEFAULT_ALARM_THRESHOLDS */
  readonly alarmThresholds?: Partial<AlarmThresholds>;
  /** Lambda active tracing (X-Ray) on every function. @default false */
  readonly tracing?: boolean;
  /** Retention of every log group (the functions' and the API's access logs). @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the table (and the log groups) when removed from the app. `DESTROY`
   * also turns the table's deletion protection off. @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /** Webhook delivery batches at once (2 to 1000), reserved for the delivery function. @default 5 */
  readonly webhookDeliveryConcurrency?: number;
  /** A custom domain. @default the `execute-api` URL only */
  readonly domain?: TimeTrackingApiDomainProps;
  /** Only for `sam local`: points the functions at DynamoDB Local. Never set it to deploy. @default none */
  readonly localDynamodbEndpoint?: string;
}

/** Every function of the construct: the route functions by route name, the authorizer, the docs page and the webhook functions. */
export type TimeTrackingFunctions = Record<RouteName | 'authorizer' | 'docs' | 'webhookFanOut' | 'webhookDelivery' | 'autoStopSchedules' | 'autoStop' | 'exportWorker', lambda.IFunction>;

export class TimeTrackingApiPropsError extends Error {
  override name = 'TimeTrackingApiPropsError';
}

/**
 * The Time Tracking API as one construct, to add to any stack: the DynamoDB table, one
 * function per route plus the authorizer, the HTTP API with its stage, the webhook pipeline
 * (stream → fan-out → SQS → delivery, with dead-letter queues), alarms and a dashboard, and
 * optionally a custom domain. See docs/deploy.md, "Embed in your CDK app".
 */
export class TimeTrackingApi extends Construct {
  /** The base URL: `https://<domain>/` with a custom domain, the stage's `execute-api` URL otherwise. */
  readonly url: string;
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly table: dynamodb.TableV2;
  readonly alarmTopic: ITopic;
  readonly functions = {} as TimeTrackingFunctions;
  /** The role an operator assumes to redrive failed webhook deliveries. */
  readonly webhookRedriveRole: iam.Role;
  /** The key webhook secrets are sealed under (only the delivery function decrypts). */
  readonly webhookSecretsKey: kms.Key;
  readonly monitoring: Monitoring;
  /** The custom domain, when one was given. */
  readonly domainName: DomainName | undefined;
  /** The group holding one auto-stop schedule per running tracker that has a limit. */
  readonly autoStopScheduleGroup: scheduler.ScheduleGroup;
  /** The role EventBridge Scheduler invokes the auto-stop function with (and nothing else). */
  readonly autoStopSchedulerRole: iam.Role;
  /** Export files (docs/exports.md): KMS-encrypted, private, TLS only, deleted after 7 days. */
  readonly exportsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: TimeTrackingApiProps) {
    super(scope, id);
    validateProps(props);
    const tableRemovalPolicy = props.tableRemovalPolicy ?? RemovalPolicy.RETAIN;
    const removalPolicy = tableRemovalPolicy;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const rateLimitPerMinute = props.rateLimitPerMinute ?? 60;
    const webhookDeliveryConcurrency = props.webhookDeliveryConcurrency ?? DEFAULT_DELIVERY_CONCURRENCY;
    const corsAllowedOrigins = props.corsAllowedOrigins ?? [];

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey.name, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey.name, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      dynamoStream: dynamodb.StreamViewType[tableDefinition.streamViewType],
      globalSecondaryIndexes: [
        {
          indexName: tableDefinition.changeFeedIndex.name,
          partitionKey: { name: tableDefinition.changeFeedIndex.partitionKey.name, type: dynamodb.AttributeType.STRING },
          sortKey: { name: tableDefinition.changeFeedIndex.sortKey.name, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        },
      ],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: tableRemovalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy: tableRemovalPolicy,
    });

    const tableEnvironment: Record<string, string> = {
      TABLE_NAME: this.table.tableName,
      ...(props.localDynamodbEndpoint ? { DYNAMODB_ENDPOINT: props.localDynamodbEndpoint } : {}),
    };
    /** Every function of the stack: the shared settings, exactly its DynamoDB actions on the table, and its alarms. */
    const monitored: TrackingFunction[] = [];
    // One log group for every function: Lambda names each stream `<date>/<function name>[…]` (docs/operations.md, "Logs").
    const functionLogs = new logs.LogGroup(this, 'FunctionLogs', { retention: logRetention, removalPolicy });
    const keyPolicyRoles = new Set<string>([...secretSealerRoutes.map((route) => route.functionName), webhookFunctions.delivery.functionName]);
    const addFunction = (
      functionName: string,
      environment: Record<string, string>,
      dynamodbActions: readonly string[],
      options: Pick<TrackingFunctionProps, 'reservedConcurrentExecutions' | 'lazyModules' | 'assetCommands' | 'timeout'> = {},
    ) => {
      const fn = new TrackingFunction(this, functionConstructId(functionName), {
        functionName,
        ...options,
        // The webhook key's policy names these roles (below), and their statements name the key.
        separateRolePolicy: keyPolicyRoles.has(functionName),
        environment: { ...tableEnvironment, ...environment },
        logGroup: functionLogs,
        tracing: props.tracing ?? false,
      });
      if (dynamodbActions.length > 0) fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...dynamodbActions], resources: [this.table.tableArn] }));
      monitored.push(fn);
      return fn;
    };

    const authorizerFn = (this.functions.authorizer = addFunction(
      authorizerFunction.functionName,
      {
        AUTH_JWKS_URL: props.auth.jwksUrl,
        AUTH_ISSUER: props.auth.issuer,
        AUTH_AUDIENCE: props.auth.audience,
        AUTH_USER_ID_CLAIM: props.auth.userIdClaim ?? 'sub',
        AUTH_ALGORITHMS: (props.auth.algorithms ?? DEFAULT_JWT_ALGORITHMS).join(','),
      },
      authorizerFunction.dynamodbActions,
      { lazyModules: ['#api-key-store'] },
    ));

    const authorizer = new HttpLambdaAuthorizer('Authorizer', authorizerFn, {
      authorizerName: 'bearer-token',
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: props.auth.cacheTtl ?? Duration.minutes(5),
    });

    const cors = corsPolicyOf(routeList);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Time Tracking API 2.0.0',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
      ...(corsAllowedOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...corsAllowedOrigins],
              allowMethods: cors.allowMethods.map((method) => CorsHttpMethod[method]),
              allowHeaders: cors.allowHeaders,
              exposeHeaders: cors.exposeHeaders,
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy });
    const stage = (this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: { rateLimit: props.throttling?.rateLimit ?? 50, burstLimit: props.throttling?.burstLimit ?? 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            principalId: '$context.authorizer.principal_id',
          }),
        ),
      },
    }));

    for (const route of routeList) {
      const fn = addFunction(route.functionName, { RATE_LIMIT_PER_MINUTE: String(rateLimitPerMinute) }, dynamodbActionsOf(route, { rateLimited: rateLimitPerMinute > 0 }));
      this.functions[route.name] = fn;
      const indexes = (route as RouteDefinition).indexes ?? [];
      if (indexes.length > 0) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: indexes.map((index) => `${this.table.tableArn}/index/${index}`) }));
      this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${pascalCase(route.functionName)}Integration`, fn),
      });
    }

    // The reference page and the OpenAPI document, without the authorizer: files built into the docs function's asset.
    const docsFn = (this.functions.docs = addFunction(docsFunction.functionName, {}, docsFunction.dynamodbActions, {
      assetCommands: (inputDir, outputDir) => [`"${process.execPath}" "${inputDir}/scripts/build-docs-page.ts" "${outputDir}"`],
    }));
    const docsIntegration = new HttpLambdaIntegration('DocsIntegration', docsFn);
    for (const route of publicRoutes) {
      const [added] = this.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration: docsIntegration, authorizer: new HttpNoneAuthorizer() });
      Validations.of(added!).acknowledge({ id: 'AwsSolutions-APIG4', reason: `${route.path} is public on purpose: the API's reference, readable before anyone has a credential; it reads no data.` });
    }
    // Anonymous callers are counted against no user's rate limit: each public route gets a throttle of its own, so that
    // they cannot spend the stage's throttle of the authenticated routes.
    // CloudFormation's own names: routeSettings is a JSON map CDK passes through unchanged.
    const publicThrottle = { ThrottlingRateLimit: props.publicThrottling?.rateLimit ?? 5, ThrottlingBurstLimit: props.publicThrottling?.burstLimit ?? 10 };
    (stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(publicRoutes.map((route) => [`${route.method} ${route.path}`, publicThrottle]));

    // Webhooks (docs/webhooks.md): the table's stream → fan-out → SQS → delivery, retries on the queue, then a DLQ.
    const queueDefaults = { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) };
    const deadLetters = new sqs.Queue(this, 'WebhookDeadLetters', queueDefaults);
    // Stream records that could not be fanned out: pointers into the 24-hour stream, not events (docs/operations.md, Runbooks).
    const streamFailures = new sqs.Queue(this, 'WebhookStreamFailures', queueDefaults);
    Validations.of(streamFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "It is the failure destination of the stream's event source mapping (a dead-letter queue that cdk-nag only recognizes for SQS redrive); nothing consumes it but an operator.",
    });
    const deliveries = new sqs.Queue(this, 'WebhookDeliveries', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the delivery function's timeout, as Lambda recommends for SQS sources.
      visibilityTimeout: Duration.seconds(6 * TrackingFunction.TIMEOUT.toSeconds()),
      // The retry schedule takes about 28 hours; 7 days leave a backlog of more than 5 days before SQS drops anything
      // (the log's retention too). Its dead-letter queue keeps 14, longer, so that nothing moved there expires first.
      retentionPeriod: Duration.days(7),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: MAX_DELIVERY_RECEIVES },
    });
    const queueEnvironment = { WEBHOOK_QUEUE_URL: deliveries.queueUrl };
    const fanOutFn = (this.functions.webhookFanOut = addFunction(webhookFunctions.fanOut.functionName, queueEnvironment, webhookFunctions.fanOut.dynamodbActions));
    deliveries.grantSendMessages(fanOutFn);
    // What an operator assumes to redrive the dead-letter queue into the delivery queue (the only other sender).
    const redriveRole = (this.webhookRedriveRole = new iam.Role(this, 'WebhookRedriveRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Redrives failed webhook deliveries from their dead-letter queue (docs/operations.md, Runbooks).',
    }));
    redriveRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:StartMessageMoveTask', 'sqs:CancelMessageMoveTask', 'sqs:ListMessageMoveTasks', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [deadLetters.queueArn],
      }),
    );
    deliveries.grantSendMessages(redriveRole);
    /**
     * The table's stream to a function, in order from now on: failed records reported one by
     * one and retried, then kept in `failures` (not dropped); only the records `patterns`
     * select (the local runtimes apply the same ones).
     */
    const streamSource = (failures: sqs.IQueue, patterns: object[]) =>
      // DynamoEventSource is typed for Table; TableV2 has the same stream ARN it reads.
      new DynamoEventSource(this.table as unknown as dynamodb.ITable, {
        startingPosition: lambda.StartingPosition.LATEST,
        ...TABLE_STREAM_SOURCE,
        onFailure: new SqsDlq(failures),
        filters: patterns.map((pattern) => lambda.FilterCriteria.filter(pattern as Record<string, unknown>)),
      });
    // Exactly the records the event registry reads.
    fanOutFn.addEventSource(streamSource(streamFailures, webhookStreamFilterPatterns()));
    const deliveryFn = (this.functions.webhookDelivery = addFunction(webhookFunctions.delivery.functionName, queueEnvironment, webhookFunctions.delivery.dynamodbActions, {
      // A bound on how many receivers are called at once (and on what one workspace's slow receiver can take).
      reservedConcurrentExecutions: webhookDeliveryConcurrency,
    }));
    deliveries.grant(deliveryFn, 'sqs:ChangeMessageVisibility');
    // A replay step queues its next step, and a replayed message that failed, on the same queue.
    deliveries.grantSendMessages(deliveryFn);
    // The routes that queue deliveries (redelivery, replay, the test event), as the route table says.
    const webhookSenders = webhookSenderRoutes.map((route) => this.functions[route.name] as TrackingFunction);
    for (const fn of webhookSenders) {
      fn.addEnvironment('WEBHOOK_QUEUE_URL', deliveries.queueUrl);
      deliveries.grantSendMessages(fn);
    }
    // Webhook secrets at rest (docs/webhooks.md): sealed under this key by the functions that create or rotate them
    // (GenerateDataKey), opened by the delivery function alone (Decrypt), which the key's own policy enforces; the
    // sealers may decrypt only their own stored idempotent answers (which hold the secret they answered), by purpose.
    const secretsKey = (this.webhookSecretsKey = new kms.Key(this, 'WebhookSecretsKey', {
      description: 'Seals webhook signing secrets (envelope encryption): only the webhook delivery function decrypts.',
      enableKeyRotation: true,
      removalPolicy,
    }));
    const secretSealers = secretSealerRoutes.map((route) => this.functions[route.name] as TrackingFunction);
    for (const fn of [...secretSealers, deliveryFn]) fn.addEnvironment('WEBHOOK_SECRETS_KEY_ARN', secretsKey.keyArn);
    const purpose = (purposes: string | string[]) => ({ StringEquals: { 'kms:EncryptionContext:purpose': purposes } });
    for (const fn of secretSealers) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [secretsKey.keyArn], conditions: purpose([WEBHOOK_SECRET_PURPOSE, IDEMPOTENT_ANSWER_PURPOSE]) }));
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [secretsKey.keyArn], conditions: purpose(IDEMPOTENT_ANSWER_PURPOSE) }));
    }
    deliveryFn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [secretsKey.keyArn], conditions: purpose(WEBHOOK_SECRET_PURPOSE) }));
    // The key's own policy denies opening each purpose to every principal but the roles above, the account's
    // administrators included: Decrypt, and ReEncrypt (which opens under this key to seal under another).
    const onlyFor = (sealedPurpose: string, roles: lambda.IFunction[]) =>
      secretsKey.addToResourcePolicy(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:Decrypt', 'kms:ReEncrypt*'],
          resources: ['*'],
          conditions: { ...purpose(sealedPurpose), ArnNotEquals: { 'aws:PrincipalArn': roles.map((fn) => fn.role!.roleArn) } },
        }),
      );
    onlyFor(WEBHOOK_SECRET_PURPOSE, [deliveryFn]);
    onlyFor(IDEMPOTENT_ANSWER_PURPOSE, secretSealers);

    // The delivery function signs what it reads from this queue: nobody else may write to it.
    deliveries.addToResourcePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [deliveries.queueArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [fanOutFn, deliveryFn, ...webhookSenders].map((fn) => fn.role!.roleArn).concat(redriveRole.roleArn) } },
      }),
    );
    deliveryFn.addEventSource(new SqsEventSource(deliveries, { ...DELIVERY_QUEUE_SOURCE, maxConcurrency: webhookDeliveryConcurrency }));

    // Forgotten trackers (docs/architecture.md "Auto-stop"): the stream → schedules → EventBridge Scheduler → auto-stop.
    const autoStopDeadLetters = new sqs.Queue(this, 'AutoStopDeadLetters', queueDefaults);
    const autoStopStreamFailures = new sqs.Queue(this, 'AutoStopStreamFailures', queueDefaults);
    Validations.of(autoStopStreamFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "It is the failure destination of the stream's event source mapping (a dead-letter queue that cdk-nag only recognizes for SQS redrive); nothing consumes it but an operator.",
    });
    Validations.of(autoStopDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "It is the dead-letter queue of the auto-stop schedules and of the auto-stop function's asynchronous invocations; nothing consumes it but an operator.",
    });
    const scheduleGroup = (this.autoStopScheduleGroup = new scheduler.ScheduleGroup(this, 'AutoStopSchedules', { removalPolicy }));
    const autoStopFn = (this.functions.autoStop = addFunction(autoStopFunctions.autoStop.functionName, {}, autoStopFunctions.autoStop.dynamodbActions));
    // Scheduler invokes it asynchronously: what fails after the invocation is retried by Lambda, then lands in the same queue.
    autoStopFn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(autoStopDeadLetters) });
    const account = Stack.of(this).account;
    const schedulerRole = (this.autoStopSchedulerRole = new iam.Role(this, 'AutoStopSchedulerRole', {
      // Only schedules of this group, in this account, may act as it (the confused deputy).
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': account, 'aws:SourceArn': scheduleGroup.scheduleGroupArn } } }),
      description: 'EventBridge Scheduler invokes the auto-stop function with it, and dead-letters what it cannot invoke; nothing else.',
    }));
    schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [autoStopFn.functionArn] }));
    autoStopDeadLetters.grantSendMessages(schedulerRole);
    const schedulesFn = (this.functions.autoStopSchedules = addFunction(
      autoStopFunctions.schedules.functionName,
      {
        AUTO_STOP_SCHEDULE_GROUP: scheduleGroup.scheduleGroupName,
        AUTO_STOP_TARGET_ARN: autoStopFn.functionArn,
        AUTO_STOP_ROLE_ARN: schedulerRole.roleArn,
        AUTO_STOP_DEAD_LETTER_ARN: autoStopDeadLetters.queueArn,
      },
      autoStopFunctions.schedules.dynamodbActions,
    ));
    const schedulesInGroup = Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${scheduleGroup.scheduleGroupName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    schedulesFn.addToRolePolicy(new iam.PolicyStatement({ actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], resources: [schedulesInGroup] }));
    schedulesFn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [schedulerRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }),
    );
    // Its statements are inline in its role: cdk-nag reports the wildcard on the role.
    const schedulesRole = schedulesFn.role!;
    // The finding names the resource as cdk-nag prints it: pseudo parameters unresolved, an explicit env's region and account as they are.
    const printed = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const stack = Stack.of(this);
    Validations.of(schedulesRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${printed(stack.partition, 'Partition')}:scheduler:${printed(stack.region, 'Region')}:${printed(stack.account, 'AccountId')}:schedule/${scheduleGroup.scheduleGroupName}/*]`,
      reason: "One schedule per running tracker, named after it: the names are not known in advance, so the resource is every schedule of the stack's own group, and only Create and Delete.",
    });
    schedulesFn.addEventSource(streamSource(autoStopStreamFailures, autoStopStreamFilterPatterns()));

    // Exports (docs/exports.md): the create route → the job queue → the worker → the bucket; the read route presigns downloads.
    const exportsBucket = (this.exportsBucket = new s3.Bucket(this, 'ExportsBucket', {
      encryption: s3.BucketEncryption.KMS_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(EXPORT_FILE_DAYS), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy,
    }));
    Validations.of(exportsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Every object is written by the export worker and read through a link the get-export function made: both are logged by the functions (export id, workspace); the files live 7 days.',
    });
    const exportDeadLetters = new sqs.Queue(this, 'ExportDeadLetters', queueDefaults);
    Validations.of(exportDeadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'It is the dead-letter queue of the export jobs; nothing consumes it but an operator.' });
    const exportJobs = new sqs.Queue(this, 'ExportJobs', {
      ...queueDefaults,
      // Twice the worker's timeout: a job is never delivered again while a run may still hold it.
      visibilityTimeout: Duration.seconds(2 * EXPORT_WORKER_TIMEOUT_SECONDS),
      deadLetterQueue: { queue: exportDeadLetters, maxReceiveCount: EXPORT_MAX_RECEIVES },
    });
    const exportWorker = (this.functions.exportWorker = addFunction(exportFunctions.worker.functionName, { EXPORTS_BUCKET: exportsBucket.bucketName }, exportFunctions.worker.dynamodbActions, {
      timeout: Duration.seconds(EXPORT_WORKER_TIMEOUT_SECONDS),
    }));
    // The worker alone writes files (and aborts its failed uploads); nobody lists the bucket.
    exportWorker.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [exportsBucket.arnForObjects('workspaces/*')] }));
    exportWorker.addEventSource(new SqsEventSource(exportJobs, { ...EXPORT_QUEUE_SOURCE }));
    // A run that pauses at a checkpoint queues its job again (docs/exports.md, "Time limit").
    exportWorker.addEnvironment('EXPORT_QUEUE_URL', exportJobs.queueUrl);
    exportJobs.grantSendMessages(exportWorker);
    for (const route of exportQueueRoutes) {
      const fn = this.functions[route.name] as TrackingFunction;
      fn.addEnvironment('EXPORT_QUEUE_URL', exportJobs.queueUrl);
      exportJobs.grantSendMessages(fn);
    }
    for (const route of exportReadRoutes) {
      const fn = this.functions[route.name] as TrackingFunction;
      fn.addEnvironment('EXPORTS_BUCKET', exportsBucket.bucketName);
      // A download link is signed with this role: it reads export files, nothing else (the object key names its workspace).
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [exportsBucket.arnForObjects('workspaces/*')] }));
    }
    for (const role of [exportWorker.role!, ...exportReadRoutes.map((route) => (this.functions[route.name] as TrackingFunction).role!)])
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(exportsBucket.node.defaultChild as s3.CfnBucket)}.Arn>/workspaces/*]`,
        reason: 'Export files are named by workspace and an unguessable id made per export: the resource is every export file, and only the actions the function needs.',
      });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      webhookDeadLetters: deadLetters,
      webhookDeliveries: deliveries,
      webhookStreamFailures: streamFailures,
      autoStopDeadLetters,
      autoStopStreamFailures,
      exportDeadLetters,
      stage,
      table: this.table,
      functions: monitored,
      routeKeys: routeList.map(routeKey),
      thresholds: { ...DEFAULT_ALARM_THRESHOLDS, ...props.alarmThresholds },
      alarmEmail: props.alarmEmail,
      alarmTopic: props.alarmTopic,
    });
    this.alarmTopic = this.monitoring.topic;

    if (props.domain) {
      const domain = (this.domainName = new DomainName(this, 'Domain', { domainName: props.domain.domainName, certificate: props.domain.certificate }));
      new ApiMapping(this, 'DomainMapping', { api: this.httpApi, domainName: domain, stage });
      if (props.domain.hostedZone) {
        new route53.ARecord(this, 'DomainAlias', {
          zone: props.domain.hostedZone,
          recordName: props.domain.domainName,
          target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId)),
        });
      }
      this.url = `https://${props.domain.domainName}/`;
    } else {
      this.domainName = undefined;
      this.url = stage.url;
    }
  }
}

/** Props as a deploy would fail on them, told at synth, all at once. Unresolved tokens are left to CloudFormation. */
function validateProps(props: TimeTrackingApiProps) {
  const problems: string[] = [];
  const known = (value: string | undefined) => value !== undefined && !Token.isUnresolved(value);
  const integer = (name: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < min || value > max)) problems.push(`${name} must be an integer from ${min} to ${max} (got ${value})`);
  };
  if (!props.auth) problems.push('auth is required: { jwksUrl, issuer, audience }');
  else {
    if (known(props.auth.jwksUrl) && !/^https:\/\/[^\s/]+/.test(props.auth.jwksUrl)) problems.push(`auth.jwksUrl must be an https:// URL (got "${props.auth.jwksUrl}")`);
    for (const field of ['issuer', 'audience'] as const) if (known(props.auth[field]) && props.auth[field].trim() === '') problems.push(`auth.${field} must not be empty`);
    const bad = (props.auth.algorithms ?? []).filter((alg) => !(ALLOWED_JWT_ALGORITHMS as readonly string[]).includes(alg));
    if (bad.length > 0 || props.auth.algorithms?.length === 0)
      problems.push(`auth.algorithms may only list ${ALLOWED_JWT_ALGORITHMS.join(', ')}, and at least one (got ${JSON.stringify(props.auth.algorithms)})`);
    if (props.auth.cacheTtl && !Token.isUnresolved(props.auth.cacheTtl.toSeconds()) && props.auth.cacheTtl.toSeconds() > 3600) problems.push('auth.cacheTtl must be at most 1 hour');
  }
  integer('rateLimitPerMinute', props.rateLimitPerMinute, 0, 1_000_000);
  integer('throttling.rateLimit', props.throttling?.rateLimit, 1, 10_000);
  integer('throttling.burstLimit', props.throttling?.burstLimit, 1, 5000);
  integer('publicThrottling.rateLimit', props.publicThrottling?.rateLimit, 1, 10_000);
  integer('publicThrottling.burstLimit', props.publicThrottling?.burstLimit, 1, 5000);
  integer('webhookDeliveryConcurrency', props.webhookDeliveryConcurrency, 2, 1000);
  for (const origin of props.corsAllowedOrigins ?? [])
    if (known(origin) && !/^https?:\/\/[^\s/]+$/.test(origin)) problems.push(`corsAllowedOrigins takes origins like https://app.example.com (got "${origin}")`);
  if (props.alarmEmail && props.alarmTopic) problems.push('alarmEmail and alarmTopic do not go together: subscribe the address to your own topic');
  if (known(props.alarmEmail) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.alarmEmail!)) problems.push(`alarmEmail must be an email address (got "${props.alarmEmail}")`);
  if (props.domain && known(props.domain.domainName) && !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(props.domain.domainName))
    problems.push(`domain.domainName must be a host name such as time.example.com (got "${props.domain.domainName}")`);
  if (props.localDynamodbEndpoint && !/^http:\/\/[^\s/]+(:\d+)?\/?$/.test(props.localDynamodbEndpoint))
    problems.push(`localDynamodbEndpoint must be an http:// URL (got "${props.localDynamodbEndpoint}")`);
  if (problems.length > 0) throw new TimeTrackingApiPropsError(`Invalid TimeTrackingApi props:\n  - ${problems.join('\n  - ')}`);
}
