import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { tableDefinition } from '../shared/db/table-definition.ts';
import { authorizerFunction, corsPolicyOf, dynamodbActionsOf, routeKey, routeList, webhookFunctions } from '../shared/contracts/routes.ts';
import { RETRY_DELAYS_SECONDS } from '../shared/webhooks/delivery.ts';
import { webhookStreamFilterPatterns } from '../shared/contracts/webhook-events.ts';
import { Monitoring } from './monitoring.ts';
import type { StackConfig } from './stack-config.ts';
import { TrackingFunction, type TrackingFunctionProps } from './tracking-function.ts';

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, _dash, letter: string) => letter.toUpperCase());

/**
 * The whole service: one DynamoDB table, one function per route plus the authorizer,
 * and an HTTP API whose routes come from the shared route table.
 */
export class TimeTrackingStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly api: HttpApi;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, config: StackConfig, props?: StackProps) {
    super(scope, id, props);
    const removalPolicy = config.throwaway ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey.name, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey.name, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      dynamoStream: dynamodb.StreamViewType[tableDefinition.streamViewType],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: !config.throwaway,
      removalPolicy,
    });

    const tableEnvironment: Record<string, string> = {
      TABLE_NAME: this.table.tableName,
      ...(config.localDynamodbEndpoint ? { DYNAMODB_ENDPOINT: config.localDynamodbEndpoint } : {}),
    };
    /** Every function of the stack: the shared settings, exactly its DynamoDB actions on the table, and its alarms. */
    const monitored: TrackingFunction[] = [];
    const addFunction = (functionName: string, environment: Record<string, string>, dynamodbActions: readonly string[], options: Pick<TrackingFunctionProps, 'reservedConcurrentExecutions' | 'lazyModules'> = {}) => {
      const fn = new TrackingFunction(this, `${pascal(functionName)}Function`, {
        functionName,
        ...options,
        environment: { ...tableEnvironment, ...environment },
        logRetention,
        removalPolicy,
        tracing: config.tracing,
      });
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...dynamodbActions], resources: [this.table.tableArn] }));
      monitored.push(fn);
      return fn;
    };

    const authorizerFn = addFunction(
      authorizerFunction.functionName,
      {
        AUTH_JWKS_URL: config.jwksUrl,
        AUTH_ISSUER: config.jwtIssuer,
        AUTH_AUDIENCE: config.jwtAudience,
        AUTH_USER_ID_CLAIM: config.jwtUserIdClaim,
        AUTH_ALGORITHMS: config.jwtAlgorithms,
      },
      authorizerFunction.dynamodbActions,
      { lazyModules: ['#api-key-store'] },
    );

    const authorizer = new HttpLambdaAuthorizer('Authorizer', authorizerFn, {
      authorizerName: 'bearer-token',
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(config.authorizerCacheTtlSeconds),
    });

    const cors = corsPolicyOf(routeList);
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'Time Tracking API 2.0.0',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
      ...(config.corsAllowedOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: config.corsAllowedOrigins,
              allowMethods: cors.allowMethods.map((method) => CorsHttpMethod[method]),
              allowHeaders: cors.allowHeaders,
              exposeHeaders: cors.exposeHeaders,
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: config.throttlingRateLimit, burstLimit: config.throttlingBurstLimit },
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
    });

    for (const route of routeList) {
      const fn = addFunction(route.functionName, { RATE_LIMIT_PER_MINUTE: String(config.rateLimitPerMinute) }, dynamodbActionsOf(route, { rateLimited: config.rateLimitPerMinute > 0 }));
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${pascal(route.functionName)}Integration`, fn),
      });
    }

    // Webhooks (docs/webhooks.md): the table's stream → fan-out → SQS → delivery, retries on the queue, then a DLQ.
    const queueDefaults = { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) };
    const deadLetters = new sqs.Queue(this, 'WebhookDeadLetters', queueDefaults);
    // Stream records that could not be fanned out: pointers into the 24-hour stream, not events (README runbook).
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
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: RETRY_DELAYS_SECONDS.length + 1 },
    });
    const queueEnvironment = { WEBHOOK_QUEUE_URL: deliveries.queueUrl };
    const fanOutFn = addFunction(webhookFunctions.fanOut.functionName, queueEnvironment, webhookFunctions.fanOut.dynamodbActions);
    deliveries.grantSendMessages(fanOutFn);
    // What an operator assumes to redrive the dead-letter queue into the delivery queue (the only other sender).
    const redriveRole = new iam.Role(this, 'WebhookRedriveRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Redrives failed webhook deliveries from their dead-letter queue (README, Webhooks runbook).',
    });
    redriveRole.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:StartMessageMoveTask', 'sqs:CancelMessageMoveTask', 'sqs:ListMessageMoveTasks', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], resources: [deadLetters.queueArn] }));
    deliveries.grantSendMessages(redriveRole);
    // The delivery function signs what it reads from this queue: nobody else may write to it.
    deliveries.addToResourcePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [deliveries.queueArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [fanOutFn.role!.roleArn, redriveRole.roleArn] } },
      }),
    );
    fanOutFn.addEventSource(
      // DynamoEventSource is typed for Table; TableV2 has the same stream ARN it reads.
      new DynamoEventSource(this.table as unknown as dynamodb.ITable, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 100,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        // A record that still fails is kept, not dropped.
        onFailure: new SqsDlq(streamFailures),
        // Exactly the records the event registry reads (the local stream reader applies the same patterns).
        filters: webhookStreamFilterPatterns().map((pattern) => lambda.FilterCriteria.filter(pattern)),
      }),
    );
    const deliveryFn = addFunction(webhookFunctions.delivery.functionName, queueEnvironment, webhookFunctions.delivery.dynamodbActions, {
      // A bound on how many receivers are called at once (and on what one workspace's slow receiver can take).
      reservedConcurrentExecutions: config.webhookDeliveryConcurrency,
    });
    deliveries.grant(deliveryFn, 'sqs:ChangeMessageVisibility');
    deliveryFn.addEventSource(new SqsEventSource(deliveries, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: config.webhookDeliveryConcurrency }));

    this.monitoring = new Monitoring(this, 'Monitoring', {
      webhookDeadLetters: deadLetters,
      webhookStreamFailures: streamFailures,
      stage,
      table: this.table,
      functions: monitored,
      routeKeys: routeList.map(routeKey),
      thresholds: config.alarms,
      alarmEmail: config.alarmEmail,
    });

    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn, description: 'Alarms are sent here: subscribe to it' });
    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'WebhookRedriveRoleArn', { value: redriveRole.roleArn, description: 'Assume it to redrive failed webhook deliveries (README, Webhooks runbook)' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The DynamoDB table (for the admin CLI: TABLE_NAME)' });
  }
}
