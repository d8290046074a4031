import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  authorizerFunction,
  autoStopFunctions,
  exportFunctions,
  exportQueueRoutes,
  exportReadRoutes,
  corsPolicyOf,
  dynamodbActionsOf,
  publicRoutes,
  routeList,
  secretSealerRoutes,
  webhookFunctions,
  webhookSenderRoutes,
} from '../../shared/contracts/routes.ts';
import { autoStopStreamFilterPatterns } from '../../shared/scheduling/auto-stop-schedules.ts';
import { openApiDocument } from '../../shared/contracts/openapi.ts';
import { readStackConfig, StackConfigError } from '../../infra/stack-config.ts';
import { TimeTrackingStack } from '../../infra/time-tracking-stack.ts';
import { matchesStreamFilter, webhookStreamFilterPatterns } from '../../shared/contracts/webhook-events.ts';
import { localTemplateContext, localTemplateDir, STACK_NAME } from '../../local/template/template-runtime.ts';
import { roleStatements } from '../support/role-statements.ts';
import { DEFAULT_CHANGE_FEED_SETTLE_SECONDS } from '../../shared/config/change-feed-config.ts';
import { TrackingFunction } from '../../infra/tracking-function.ts';

/** CDK assertions on the synthesized template (bundling skipped; the bundles are read from the run's CLI synthesis). */
const requiredContext = {
  jwksUrl: 'https://issuer.example.com/.well-known/jwks.json',
  jwtIssuer: 'https://issuer.example.com/',
  jwtAudience: 'time-tracking-api',
};

function synth(context: Record<string, unknown> = {}) {
  const app = new App({
    context: { ...requiredContext, ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const config = readStackConfig((key) => app.node.tryGetContext(key));
  const stack = new TimeTrackingStack(app, 'TimeTrackingApi', config);
  return { app, stack, template: Template.fromStack(stack) };
}

const { app, stack, template } = synth();
/**
 * One more synthesis, with every context value the tests vary at once (each test reads its
 * own setting in it, and none of them touches another's): one synth instead of eight, each
 * several seconds with cdk-nag.
 */
let variedTemplate: Template | undefined;
const varied = () =>
  (variedTemplate ??= synth({
    authorizerCacheTtlSeconds: '60',
    throttlingRateLimit: '7',
    throttlingBurstLimit: '9',
    corsAllowedOrigins: 'https://app.example.com',
    localDynamodbEndpoint: 'http://host.docker.internal:8000',
    throwaway: 'true',
    rateLimitPerMinute: '0',
    alarmEmail: 'ops@example.com',
    alarmApi5xxPercent: '2',
    alarmApiP99LatencyMs: '900',
    alarmDurationP99PercentOfTimeout: '50',
    tracing: 'true',
    webhookDeliveryConcurrency: '20',
  }).template);
const resources = (type: string) => template.findResources(type);
/** Routes, the authorizer, the docs page, the webhook functions and the auto-stop ones. */
const FUNCTION_COUNT = routeList.length + 2 + Object.keys(webhookFunctions).length + Object.keys(autoStopFunctions).length + Object.keys(exportFunctions).length;
const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, _dash, letter: string) => letter.toUpperCase());

/** The statements of the role whose id starts with `rolePrefix`. */
const statementsOf = (rolePrefix: string, source: Template = template) => [...roleStatements(source.toJSON())].find(([id]) => id.startsWith(rolePrefix))![1];

describe('routes and the authorizer', () => {
  it('has exactly the routes of the route table, each behind the Lambda authorizer, and the public docs routes without it', () => {
    const routes = Object.values(resources('AWS::ApiGatewayV2::Route'));
    const publicKeys = publicRoutes.map((route) => `${route.method} ${route.path}`);
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([...routeList.map((route) => `${route.method} ${route.path}`), ...publicKeys].sort());
    const [authorizerId] = Object.keys(resources('AWS::ApiGatewayV2::Authorizer'));
    for (const route of routes) {
      if (publicKeys.includes(route.Properties.RouteKey)) {
        expect(route.Properties.AuthorizationType).toBe('NONE');
        continue;
      }
      expect(route.Properties.AuthorizationType).toBe('CUSTOM');
      expect(route.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
    }
  });

  it('configures the authorizer: payload 2.0, simple responses, the Authorization header, a 300 s cache', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 300,
    });
  });

  it('takes the cache TTL, throttling and CORS from context; CORS is off by default', () => {
    expect(JSON.stringify(resources('AWS::ApiGatewayV2::Api'))).not.toContain('CorsConfiguration');
    const custom = varied();
    custom.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerResultTtlInSeconds: 60 });
    custom.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 } });
    custom.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://app.example.com'] }) });
    // Every method and request header a route uses, from the route table: a browser can call DELETE /webhooks/{id}.
    const cors = corsPolicyOf(routeList);
    expect(cors.allowMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'DELETE']));
    custom.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowMethods: cors.allowMethods, AllowHeaders: cors.allowHeaders, ExposeHeaders: cors.exposeHeaders }),
    });
  });

  it('throttles the stage and writes JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
    });
  });

  it("gives each public route a throttle of its own: anonymous callers cannot spend the authenticated routes' throttle", () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: {
        'GET /docs': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
        'GET /openapi.json': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      },
    });
  });
});

describe('functions', () => {
  it('runs every function on Node.js 24, arm64, 512 MB, 10 s (the export worker 15 minutes), all writing to the one function log group', () => {
    const functions = Object.entries(resources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(FUNCTION_COUNT);
    const functionLogs = Object.keys(resources('AWS::Logs::LogGroup')).filter((id) => id.startsWith('FunctionLogs'));
    expect(functionLogs).toHaveLength(1);
    for (const [id, fn] of functions) {
      const timeout = id.startsWith('ExportWorkerFunction') ? 900 : 10;
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 512, Timeout: timeout, Handler: 'index.handler' });
      expect(fn.Properties.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: functionLogs[0] } });
      expect(fn.Properties.Environment.Variables.TABLE_NAME).toEqual({ Ref: expect.stringMatching(/^Table/) });
    }
    for (const logGroup of Object.values(resources('AWS::Logs::LogGroup'))) expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  it('points functions at DynamoDB Local only when synthesized for sam local', () => {
    expect(JSON.stringify(resources('AWS::Lambda::Function'))).not.toContain('DYNAMODB_ENDPOINT');
    const forSam = varied();
    for (const fn of Object.values(forSam.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables.DYNAMODB_ENDPOINT).toBe('http://host.docker.internal:8000');
    }
  });

  it('gives only the authorizer the JWT settings', () => {
    const functions = Object.values(resources('AWS::Lambda::Function'));
    const withJwt = functions.filter((fn) => 'AUTH_JWKS_URL' in fn.Properties.Environment.Variables);
    expect(withJwt).toHaveLength(1);
    expect(withJwt[0]!.Properties.Environment.Variables).toMatchObject({
      AUTH_JWKS_URL: requiredContext.jwksUrl,
      AUTH_ISSUER: requiredContext.jwtIssuer,
      AUTH_AUDIENCE: requiredContext.jwtAudience,
      AUTH_USER_ID_CLAIM: 'sub',
      AUTH_ALGORITHMS: 'RS256,ES256',
    });
  });

  it('grants each function exactly its DynamoDB actions on the table ARN, and nothing with a wildcard', () => {
    const byRole = roleStatements(template.toJSON());
    const roles = resources('AWS::IAM::Role');
    const functions = resources('AWS::Lambda::Function');
    const expected = new Map<string, readonly string[]>([
      [authorizerFunction.functionName, authorizerFunction.dynamodbActions],
      ...routeList.map((route) => [route.functionName, dynamodbActionsOf(route, { rateLimited: true })] as const),
    ]);
    for (const [functionName, actions] of expected) {
      const [, fn] = Object.entries(functions).find(([id]) => id.startsWith(`${pascal(functionName)}Function`))!;
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const statements = byRole.get(roleId)! as Array<{ Action: string | string[]; Resource: unknown }>;
      const onDynamo = statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')));
      // A route's indexes get their own Query statement, on each index's ARN only.
      const onIndexes = onDynamo.filter((statement) => JSON.stringify(statement.Resource).includes('/index/'));
      const indexes = (routeList.find((candidate) => candidate.functionName === functionName) as { indexes?: readonly string[] } | undefined)?.indexes ?? [];
      expect(onIndexes.map((statement) => [statement.Action, statement.Resource])).toEqual(
        indexes.length === 0
          ? []
          : [['dynamodb:Query', indexes.length === 1 ? { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] }, `/index/${indexes[0]}`]] } : expect.anything()]],
      );
      const dynamo = onDynamo.filter((statement) => !onIndexes.includes(statement));
      expect(dynamo).toHaveLength(1);
      expect([dynamo[0]!.Action].flat().sort()).toEqual([...actions].sort());
      expect(dynamo[0]!.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] });
      // Besides the table: its logs, and what the route table says it does with the delivery queue and the secrets' key.
      const route = routeList.find((candidate) => candidate.functionName === functionName);
      const others = statements.filter((statement) => statement !== dynamo[0] && !onIndexes.includes(statement));
      expect(others.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(
        [
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          ...(route && webhookSenderRoutes.includes(route) ? ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'] : []),
          ...(route && secretSealerRoutes.includes(route) ? ['kms:Decrypt', 'kms:GenerateDataKey'] : []),
          ...(route && exportQueueRoutes.includes(route) ? ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'] : []),
          ...(route && exportReadRoutes.includes(route) ? ['s3:GetObject'] : []),
        ].sort(),
      );
      expect(roles[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    }
    const everything = JSON.stringify({ policies: resources('AWS::IAM::Policy'), roles });
    expect(everything).not.toMatch(/"(Action|Resource)":"\*"|"\*"/);
  });

  it('bundles each function as minified CommonJS with names kept, a source map beside it and the AWS SDK inside, with the asset metadata sam local reads', async () => {
    // The run's synthesis by the CDK CLI (the one npm run start:template and npm run invoke use), bundles and all.
    const outdir = await localTemplateDir({ templateCacheDir: process.env.TEMPLATE_CACHE_DIR, dataDir: 'memory', context: localTemplateContext(process.env), log: () => {} });
    const synthesized = JSON.parse(readFileSync(join(outdir, `${STACK_NAME}.template.json`), 'utf8')) as { Resources: Record<string, any> };
    const functions = Object.values(synthesized.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBe(Object.keys(template.findResources('AWS::Lambda::Function')).length);
    for (const fn of functions) {
      expect(fn.Metadata).toMatchObject({ 'aws:asset:path': expect.stringMatching(/^asset\./), 'aws:asset:property': 'Code' });
      expect(fn.Properties.Handler).toBe('index.handler');
      // Run-time source maps cost every cold start: the map is applied afterwards, off the hot path.
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
      const assetDir = join(outdir, fn.Metadata['aws:asset:path']);
      const isAuthorizer = fn.Properties.Environment.Variables.AUTH_JWKS_URL !== undefined;
      // Every asset says its module format, so that it loads as CommonJS wherever it is unpacked (under a "type": "module" checkout too).
      expect(JSON.parse(readFileSync(join(assetDir, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs', ...(isAuthorizer ? { imports: { '#api-key-store': './api-key-store.js' } } : {}) });
      // The docs function: the reference page and the OpenAPI document beside a bundle of its own, nothing of the API.
      if (existsSync(join(assetDir, 'docs.html'))) {
        expect(JSON.parse(readFileSync(join(assetDir, 'openapi.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
        expect(readFileSync(join(assetDir, 'docs.html'), 'utf8')).not.toMatch(/<script[^>]+\bsrc=/); // its bundle inlined (the browser test checks no request leaves)
        expect(readFileSync(join(assetDir, 'index.js'), 'utf8')).not.toContain('DynamoDBClient');
        continue;
      }
      // The authorizer's API-key store (and the SDK) is a bundle of its own beside it, mapped by a package.json.
      const sdkBundle = isAuthorizer ? 'api-key-store.js' : 'index.js';
      if (isAuthorizer) {
        expect(readFileSync(join(assetDir, 'index.js'), 'utf8')).toContain('import("#api-key-store")');
        expect(readFileSync(join(assetDir, 'index.js'), 'utf8')).not.toContain('DynamoDBClient');
      }
      const code = readFileSync(join(assetDir, 'index.js'), 'utf8');
      expect(existsSync(join(assetDir, 'index.js.map'))).toBe(true);
      expect(code).toMatch(/module\.exports\s*=/);
      expect(code).not.toMatch(/^import /m);
      expect(readFileSync(join(assetDir, sdkBundle), 'utf8')).toContain('dynamodb'); // the SDK client is inside the (lazy) bundle
      expect(code).toContain('"envReader"'); // names kept: readable stack traces
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000); // minified: long lines
      // The export worker carries the workbook writer and S3's upload: a background job, whose cold start no caller waits on.
      const isExportWorker = fn.Properties.Environment.Variables.EXPORTS_BUCKET !== undefined && fn.Properties.Timeout === 900;
      expect(statSync(join(assetDir, 'index.js')).size).toBeLessThan(isExportWorker ? 2_500_000 : 1_000_000);
    }
  }, 180_000);
});

describe('table', () => {
  it('is built from the shared table definition: keys, on-demand, TTL, PITR, deletion protection, retained', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
  });

  it('has the change feed index from the shared definition, and only the feed function may Query it', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      Properties: Match.objectLike({
        GlobalSecondaryIndexes: [
          {
            IndexName: 'changes',
            KeySchema: [
              { AttributeName: 'feed_pk', KeyType: 'HASH' },
              { AttributeName: 'feed_sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    });
    const onIndex = [...roleStatements(template.toJSON())].filter(([, statements]) => JSON.stringify(statements).includes('/index/'));
    expect(onIndex.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['ListChangesFunctionRole']);
    expect(JSON.stringify(onIndex[0]![1])).toContain('/index/changes');
  });

  it('settles the change feed for longer than any function may take to write', () => {
    expect(DEFAULT_CHANGE_FEED_SETTLE_SECONDS).toBeGreaterThan(TrackingFunction.TIMEOUT.toSeconds() + 10);
    // Every function that writes changes the feed reads; the export worker writes only export records, which are not in it.
    const writers = Object.entries(resources('AWS::Lambda::Function')).filter(([id]) => !id.startsWith('ExportWorkerFunction'));
    const timeouts = writers.map(([, fn]) => Number(fn.Properties.Timeout));
    expect(Math.max(...timeouts)).toBeLessThan(DEFAULT_CHANGE_FEED_SETTLE_SECONDS - 10);
  });

  it('relaxes deletion protection and retention for a throwaway stage only', () => {
    const throwaway = varied();
    throwaway.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })] }),
    });
  });
});

describe('outputs and checks', () => {
  it('outputs the API URL, the table name, the alarm topic and the redrive role', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(['AlarmTopicArn', 'ApiUrl', 'TableName', 'WebhookRedriveRoleArn']);
  });

  it('has zero unacknowledged cdk-nag AwsSolutions findings', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('refuses missing or malformed context with one clear message', () => {
    expect(() => readStackConfig(() => undefined)).toThrow(StackConfigError);
    expect(() => readStackConfig(() => undefined)).toThrow(/"jwksUrl" is required[\s\S]*"jwtIssuer" is required[\s\S]*"jwtAudience" is required/);
    const context: Record<string, string> = { ...requiredContext, jwksUrl: 'http://insecure', authorizerCacheTtlSeconds: '9999', jwtAlgorithms: 'HS256', logRetentionDays: '13', throwaway: 'yes' };
    expect(() => readStackConfig((key) => context[key])).toThrow(/https:\/\/ URL[\s\S]*HS256[\s\S]*logRetentionDays[\s\S]*authorizerCacheTtlSeconds[\s\S]*throwaway/);
  });
});

describe('operating it: rate limit, metrics, alarms, dashboard, tracing', () => {
  const functionIds = () => Object.keys(resources('AWS::Lambda::Function')).filter((id) => /Function[0-9A-F]{8}$/.test(id));

  it('passes the rate limit to every route function, and grants the counter update only when it is on', () => {
    const functions = resources('AWS::Lambda::Function');
    for (const route of routeList) {
      const [, fn] = Object.entries(functions).find(([id]) => id.startsWith(`${pascal(route.functionName)}Function`))!;
      expect(fn.Properties.Environment.Variables).toMatchObject({ RATE_LIMIT_PER_MINUTE: '60', POWERTOOLS_METRICS_NAMESPACE: 'TimeTrackingApi' });
    }
    expect(JSON.stringify(statementsOf('CurrentTrackerFunctionRole'))).toContain('dynamodb:UpdateItem');
    expect(JSON.stringify(statementsOf('CurrentTrackerFunctionRole', varied()))).not.toContain('dynamodb:UpdateItem');
  });

  it('sends every alarm, in and out of alarm, to one encrypted SNS topic', () => {
    const topics = resources('AWS::SNS::Topic');
    expect(Object.keys(topics)).toHaveLength(1);
    const [topicId, topic] = Object.entries(topics)[0]!;
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm'));
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    expect(Object.keys(resources('AWS::SNS::Subscription'))).toHaveLength(0);
    // CloudWatch may use the topic's key only for this account's alarms.
    const forCloudWatch = Object.values(resources('AWS::KMS::Key'))
      .flatMap((key) => key.Properties.KeyPolicy.Statement)
      .find((statement: any) => statement.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(forCloudWatch.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']] } },
    });
    varied().hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('alarms on the API, every function, the table and the service metrics, with thresholds from context', () => {
    // A labelled metric is rendered as a one-metric query: read the metric from either form.
    const metricOf = (properties: Record<string, any>) => {
      const stat = properties.Metrics?.length === 1 ? properties.Metrics[0].MetricStat?.Metric : undefined;
      return stat ? { Namespace: stat.Namespace, MetricName: stat.MetricName, Dimensions: stat.Dimensions } : {};
    };
    const alarms = Object.entries(resources('AWS::CloudWatch::Alarm')).map(([id, alarm]) => ({ id, ...alarm.Properties, ...metricOf(alarm.Properties) }));
    const byId = (prefix: string) => alarms.find((alarm) => alarm.id.startsWith(`Monitoring${prefix}`));
    expect(byId('Api5xxRate')).toMatchObject({ Threshold: 5 });
    expect(byId('ApiLatencyP99')).toMatchObject({ Threshold: 2000, ExtendedStatistic: 'p99', MetricName: 'Latency' });
    // Every function is watched by exactly one alarm of each kind, which takes the worst of at most ten functions.
    const functionIds = Object.keys(resources('AWS::Lambda::Function'));
    for (const [kind, metricName, stat, threshold] of [
      ['FunctionErrors', 'Errors', 'Sum', 1],
      ['FunctionThrottles', 'Throttles', 'Sum', 1],
      ['FunctionDurationP99', 'Duration', 'p99', 8000],
    ] as const) {
      const ofKind = alarms.filter((alarm) => alarm.id.startsWith(`Monitoring${kind}`));
      const watched = ofKind.flatMap((alarm) => {
        // 80% of the timeout: 10 s, or the export worker's 15 minutes (its group of one).
        const workerOnly = JSON.stringify(alarm.Metrics).includes('ExportWorkerFunction');
        expect(alarm).toMatchObject({ Threshold: kind === 'FunctionDurationP99' && workerOnly ? 720_000 : threshold, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
        const queries = alarm.Metrics as Array<Record<string, any>>;
        const metrics = queries.filter((query) => query.MetricStat);
        expect(metrics.length).toBeLessThanOrEqual(10);
        expect(queries.find((query) => query.Expression)!.Expression).toBe(`MAX([${metrics.map((query) => query.Id).join(', ')}])`);
        return metrics.map((query) => {
          expect(query.MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/Lambda', MetricName: metricName }, Stat: stat });
          return query.MetricStat.Metric.Dimensions[0].Value.Ref as string;
        });
      });
      expect(watched.sort()).toEqual([...functionIds].sort());
    }
    expect(byId('TableThrottledRequests')).toBeDefined();
    expect(byId('TableSystemErrors')).toBeDefined();
    expect(byId('AuthorizerTransientFailures')).toMatchObject({
      Namespace: 'TimeTrackingApi',
      MetricName: 'Authentications',
      Dimensions: expect.arrayContaining([
        { Name: 'outcome', Value: 'transient_failure' },
        { Name: 'service', Value: 'time-tracking-api' },
      ]),
    });
    expect(byId('RateLimitedSurge')).toMatchObject({ MetricName: 'Requests', Dimensions: expect.arrayContaining([{ Name: 'outcome', Value: 'rate_limited' }]), Threshold: 300 });
    expect(byId('WebhookDeadLetters')).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    expect(byId('WebhookStreamFailures')).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    // A backlog on the delivery queue every workspace shares: its oldest message waiting an hour.
    expect(byId('WebhookDeliveryBacklog')).toMatchObject({ MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 3600 });
    const deliveryQueue = Object.entries(resources('AWS::SQS::Queue')).find(([id]) => id.startsWith('WebhookDeliveries'))![1];
    // It outlives the retry schedule (about 28 h) with days of backlog to spare; its dead-letter queue outlives it.
    expect(deliveryQueue.Properties.MessageRetentionPeriod).toBe(7 * 24 * 3600);
    // The rate limiter failing open: the metric as the handlers emit it, {service} alone.
    expect(byId('RateLimiterFailingOpen')).toMatchObject({
      Namespace: 'TimeTrackingApi',
      MetricName: 'RateLimitCounterFailures',
      Dimensions: [{ Name: 'service', Value: 'time-tracking-api' }],
      Threshold: 1,
    });
    // Functions are grouped by timeout: the export worker (15 minutes) is a group of its own; its dead-letter queue has an alarm.
    expect(alarms).toHaveLength(2 + 3 * (Math.ceil((FUNCTION_COUNT - 1) / 10) + 1) + 2 + 2 + 1 + 2 + 2 + 1 + 1 + 1);
    expect(byId('WebhooksDisabled')).toMatchObject({
      Namespace: 'TimeTrackingApi',
      MetricName: 'WebhooksDisabled',
      Dimensions: [
        { Name: 'reason', Value: 'gone' },
        { Name: 'service', Value: 'time-tracking-api' },
      ],
      Threshold: 1,
    });

    const tuned = Object.values(varied().findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
    expect(tuned.filter((alarm) => alarm.Threshold === 2)).toHaveLength(1);
    expect(tuned.filter((alarm) => alarm.Threshold === 900)).toHaveLength(1);
    const durationAlarms = tuned.filter((alarm) => alarm.Metrics?.some((query: any) => query.MetricStat?.Metric.MetricName === 'Duration'));
    // Half of each group's timeout: 10 s for all but the export worker (15 minutes, a group of its own).
    expect(durationAlarms.map((alarm) => alarm.Threshold).sort((a, b) => a - b)).toEqual([...durationAlarms.slice(1).map(() => 5000), 450_000]);
    expect(durationAlarms.flatMap((alarm) => alarm.Metrics.filter((query: any) => query.MetricStat))).toHaveLength(FUNCTION_COUNT);
  });

  it("leaves room under CloudFormation's 500 resources for 10 more routes, each costing what the start route does", () => {
    const all = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    // What one route adds: its function and role (its statements inline), named after its construct, and the API's
    // integration, permission and route that point at it (its log streams go to the functions' one log group).
    const startId = Object.keys(all).find((id) => all[id]!.Type === 'AWS::Lambda::Function' && id.startsWith('StartTimeTrackingFunction'))!;
    const mentions = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);
    const own = Object.keys(all).filter((id) => id.startsWith('StartTimeTrackingFunction'));
    const integrations = Object.keys(all).filter((id) => all[id]!.Type === 'AWS::ApiGatewayV2::Integration' && mentions(all[id]!.Properties, startId));
    const wiring = Object.keys(all).filter(
      (id) =>
        (all[id]!.Type === 'AWS::Lambda::Permission' && mentions(all[id]!.Properties, startId)) ||
        (all[id]!.Type === 'AWS::ApiGatewayV2::Route' && integrations.some((integration) => mentions(all[id]!.Properties, integration))),
    );
    const perRoute = new Set([...own, ...integrations, ...wiring]).size;
    expect(perRoute).toBe(5);
    // An alarm watches ten functions: a route adds a tenth of three alarms.
    expect(Object.keys(all).length + Math.ceil(10 * (perRoute + 3 / 10))).toBeLessThanOrEqual(500);
  });

  it('draws one dashboard with the API, functions, table, authorizer and business counts', () => {
    const dashboards = Object.values(resources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    for (const title of ['API requests and errors', 'API latency', 'Function duration p99', 'DynamoDB consumed capacity', 'DynamoDB throttled requests', 'Authorizer', 'Business outcomes', 'Webhooks'])
      expect(body).toContain(title);
    for (const outcome of ['started', 'stopped', 'tracker_already_active', 'rate_limited']) expect(body).toContain(outcome);
  });

  it('turns on active tracing only when asked', () => {
    for (const id of functionIds()) expect(resources('AWS::Lambda::Function')[id]!.Properties.TracingConfig).toBeUndefined();
    const traced = varied().findResources('AWS::Lambda::Function');
    const tracedFunctions = Object.entries(traced).filter(([id]) => /Function[0-9A-F]{8}$/.test(id));
    expect(tracedFunctions).toHaveLength(FUNCTION_COUNT);
    for (const [, fn] of tracedFunctions) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it('refuses bad monitoring context with a message naming it', () => {
    const context: Record<string, unknown> = { ...requiredContext, alarmEmail: 'not-an-email', rateLimitPerMinute: '-1' };
    expect(() => readStackConfig((key) => context[key])).toThrow(/rateLimitPerMinute[\s\S]*alarmEmail/);
  });
});

describe('webhooks', () => {
  const queues = () => Object.entries(resources('AWS::SQS::Queue'));

  it('reads new trackers and new entry versions off the table stream', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    const [mapping] = Object.values(resources('AWS::Lambda::EventSourceMapping')).filter(
      (candidate) => candidate.Properties.EventSourceArn?.['Fn::GetAtt']?.[1] === 'StreamArn' && candidate.Properties.FunctionName.Ref.startsWith('WebhookFanOutFunction'),
    );
    expect(mapping!.Properties).toMatchObject({ StartingPosition: 'LATEST', FunctionResponseTypes: ['ReportBatchItemFailures'], BisectBatchOnFunctionError: true });
    // Exactly the event registry's patterns: the ones the local stream reader applies (docs/webhooks.md).
    const deployed = mapping!.Properties.FilterCriteria.Filters.map((filter: { Pattern: string }) => JSON.parse(filter.Pattern));
    expect(deployed).toEqual(webhookStreamFilterPatterns());
    for (const [record, expected] of [
      [{ eventName: 'INSERT', dynamodb: { NewImage: { entity: { S: 'tracker' } } } }, true],
      [{ eventName: 'INSERT', dynamodb: { NewImage: { entity: { S: 'time_entry_version' } } } }, true],
      // The listed copy of an entry is no event (an edit that moves it re-inserts it).
      [{ eventName: 'INSERT', dynamodb: { NewImage: { entity: { S: 'time_entry' } } } }, false],
      [{ eventName: 'MODIFY', dynamodb: { NewImage: { entity: { S: 'tracker' } } } }, false],
      [{ eventName: 'INSERT', dynamodb: { NewImage: { entity: { S: 'membership' } } } }, false],
      [{ eventName: 'REMOVE', dynamodb: { OldImage: { entity: { S: 'time_entry' } } } }, false],
    ] as const) {
      expect(matchesStreamFilter(deployed, record)).toBe(expected);
      expect(matchesStreamFilter(webhookStreamFilterPatterns(), record)).toBe(expected);
    }
    // Stream failures are pointers into the stream, kept apart from failed deliveries.
    const [streamFailuresId] = queues().find(([id]) => id.startsWith('WebhookStreamFailures'))!;
    expect(mapping!.Properties.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [streamFailuresId, 'Arn'] });
  });

  it('lets only the pipeline, the routes that queue deliveries (as the route table says) and the redrive role send to the delivery queue', () => {
    const [deliveriesId] = queues().find(([id]) => id.startsWith('WebhookDeliveries'))!;
    const policy = Object.values(resources('AWS::SQS::QueuePolicy')).find((candidate) => JSON.stringify(candidate.Properties.Queues).includes(deliveriesId))!;
    const deny = policy.Properties.PolicyDocument.Statement.find((statement: any) => statement.Effect === 'Deny' && statement.Action === 'sqs:SendMessage');
    const roleIds = deny.Condition.ArnNotEquals['aws:PrincipalArn'].map((arn: any) => arn['Fn::GetAtt'][0]).sort();
    const senders = webhookSenderRoutes.map((route) => `${pascal(route.functionName)}FunctionRole`);
    expect(senders.sort()).toEqual(['RedeliverWebhookMessageFunctionRole', 'ReplayWebhookFunctionRole', 'TestWebhookFunctionRole']);
    expect(roleIds.map((id: string) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([...senders, 'WebhookDeliveryFunctionRole', 'WebhookFanOutFunctionRole', 'WebhookRedriveRole'].sort());
    expect(deny.Principal).toEqual({ AWS: '*' });
  });

  it('bounds the delivery function: the queue source maximum concurrency and a reserved concurrency, from context', () => {
    const sqsMapping = (t: Template) =>
      Object.values(t.findResources('AWS::Lambda::EventSourceMapping')).find((candidate) => JSON.stringify(candidate.Properties.EventSourceArn).includes('WebhookDeliveries'))!;
    const deliveryFunction = (t: Template) => Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('WebhookDeliveryFunction'))![1];
    expect(sqsMapping(template).Properties.ScalingConfig).toEqual({ MaximumConcurrency: 5 });
    expect(deliveryFunction(template).Properties.ReservedConcurrentExecutions).toBe(5);
    const tuned = varied();
    expect(sqsMapping(tuned).Properties.ScalingConfig).toEqual({ MaximumConcurrency: 20 });
    expect(deliveryFunction(tuned).Properties.ReservedConcurrentExecutions).toBe(20);
    expect(() => synth({ webhookDeliveryConcurrency: '1' })).toThrow(/webhookDeliveryConcurrency/);
  });

  it('queues deliveries, encrypted, with a dead-letter queue after the retry schedule', () => {
    const [, main] = queues().find(([id]) => id.startsWith('WebhookDeliveries'))!;
    const [deadLetterId] = queues().find(([id]) => id.startsWith('WebhookDeadLetters'))!;
    expect(main.Properties).toMatchObject({ SqsManagedSseEnabled: true, VisibilityTimeout: 60, RedrivePolicy: { maxReceiveCount: 8, deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] } } });
    const sqsMapping = Object.values(resources('AWS::Lambda::EventSourceMapping')).find((candidate) => JSON.stringify(candidate.Properties.EventSourceArn).includes('WebhookDeliveries'));
    expect(sqsMapping!.Properties).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });

  it('gives the fan-out and delivery functions only what they use', () => {
    const policyOf = (prefix: string) => JSON.stringify(statementsOf(prefix));
    const fanOut = policyOf('WebhookFanOutFunctionRole');
    expect(fanOut).toContain('dynamodb:Query');
    expect(fanOut).toContain('dynamodb:BatchWriteItem');
    expect(fanOut).toContain('sqs:SendMessage');
    expect(fanOut).not.toMatch(/dynamodb:(PutItem|DeleteItem|UpdateItem|GetItem)"|kms:/);
    const delivery = policyOf('WebhookDeliveryFunctionRole');
    expect(delivery).toContain('dynamodb:GetItem');
    expect(delivery).toContain('sqs:ChangeMessageVisibility');
    // A replay step queues its next step.
    expect(delivery).toContain('sqs:SendMessage');
    expect(delivery).not.toMatch(/dynamodb:(DeleteItem|BatchWriteItem)"|kms:GenerateDataKey/);
  });

  it('seals webhook secrets under a rotating key of the stack that only the delivery function may decrypt them with', () => {
    const keys = Object.entries(resources('AWS::KMS::Key'));
    const [keyId, key] = keys.find(([id]) => id.startsWith('WebhookSecretsKey'))!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    // The key's own policy: opening a webhook secret (Decrypt, or ReEncrypt, which opens it to seal it under another key) is
    // denied to every principal but the delivery function's role; a sealed idempotent answer, to all but the sealers'.
    const denials = Object.fromEntries(
      key.Properties.KeyPolicy.Statement.filter((statement: any) => statement.Effect === 'Deny').map((deny: any) => {
        expect(deny).toMatchObject({ Action: ['kms:Decrypt', 'kms:ReEncrypt*'], Principal: { AWS: '*' } });
        const roles = [deny.Condition.ArnNotEquals['aws:PrincipalArn']]
          .flat()
          .map((arn: any) => arn['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, ''))
          .sort();
        return [deny.Condition.StringEquals['kms:EncryptionContext:purpose'], roles];
      }),
    );
    expect(denials).toEqual({ 'webhook-secret': ['WebhookDeliveryFunctionRole'], 'idempotent-answer': ['CreateWebhookFunctionRole', 'RotateWebhookSecretFunctionRole'] });
    // Every grant on the key, by role: the sealers generate data keys and open only their stored answers; the delivery function opens secrets.
    const grants: Record<string, string[]> = {};
    for (const [roleId, statements] of roleStatements(template.toJSON())) {
      for (const statement of statements) {
        if (!JSON.stringify(statement.Resource).includes(keyId)) continue;
        (grants[roleId.replace(/[0-9A-F]{8}$/, '')] ??= []).push(`${[statement.Action].flat().join(',')} ${JSON.stringify(statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose'])}`);
      }
    }
    const sealing = ['kms:GenerateDataKey ["webhook-secret","idempotent-answer"]', 'kms:Decrypt "idempotent-answer"'];
    expect(grants).toEqual({ CreateWebhookFunctionRole: sealing, RotateWebhookSecretFunctionRole: sealing, WebhookDeliveryFunctionRole: ['kms:Decrypt "webhook-secret"'] });
    const environment = (prefix: string) => Object.entries(resources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))![1].Properties.Environment.Variables;
    for (const fn of ['CreateWebhookFunction', 'RotateWebhookSecretFunction', 'WebhookDeliveryFunction']) expect(environment(fn).WEBHOOK_SECRETS_KEY_ARN).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(environment('ListWebhooksFunction').WEBHOOK_SECRETS_KEY_ARN).toBeUndefined();
  });
});

describe('forgotten trackers: auto-stop schedules', () => {
  const entries = (type: string) => Object.entries(resources(type));
  const idOf = (type: string, prefix: string) => entries(type).find(([id]) => id.startsWith(prefix))![0];
  const policyOf = (rolePrefix: string) => statementsOf(rolePrefix);

  it('has one schedule group, and the schedules function reads tracker starts and stops off the stream with the shared filter', () => {
    expect(entries('AWS::Scheduler::ScheduleGroup')).toHaveLength(1);
    // No schedule is deployed: each is made at run time, one per tracker that has a limit.
    expect(entries('AWS::Scheduler::Schedule')).toHaveLength(0);
    const [, mapping] = entries('AWS::Lambda::EventSourceMapping').find(([, candidate]) => candidate.Properties.FunctionName.Ref.startsWith('AutoStopSchedulesFunction'))!;
    expect(mapping.Properties).toMatchObject({ StartingPosition: 'LATEST', FunctionResponseTypes: ['ReportBatchItemFailures'], BisectBatchOnFunctionError: true, MaximumRetryAttempts: 10 });
    const deployed = mapping.Properties.FilterCriteria.Filters.map((filter: { Pattern: string }) => JSON.parse(filter.Pattern));
    expect(deployed).toEqual(autoStopStreamFilterPatterns());
    expect(mapping.Properties.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'AutoStopStreamFailures'), 'Arn'] });
    const schedulesFunction = entries('AWS::Lambda::Function').find(([id]) => id.startsWith('AutoStopSchedulesFunction'))![1];
    expect(schedulesFunction.Properties.Environment.Variables).toMatchObject({
      AUTO_STOP_SCHEDULE_GROUP: entries('AWS::Scheduler::ScheduleGroup')[0]![1].Properties.Name,
      AUTO_STOP_TARGET_ARN: { 'Fn::GetAtt': [idOf('AWS::Lambda::Function', 'AutoStopFunction'), 'Arn'] },
      AUTO_STOP_ROLE_ARN: { 'Fn::GetAtt': [idOf('AWS::IAM::Role', 'AutoStopSchedulerRole'), 'Arn'] },
      AUTO_STOP_DEAD_LETTER_ARN: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'AutoStopDeadLetters'), 'Arn'] },
    });
  });

  it("lets EventBridge Scheduler, for this account's group only, invoke the auto-stop function and nothing else", () => {
    const groupId = idOf('AWS::Scheduler::ScheduleGroup', 'AutoStopSchedules');
    const role = resources('AWS::IAM::Role')[idOf('AWS::IAM::Role', 'AutoStopSchedulerRole')]!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] } } },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = policyOf('AutoStopSchedulerRole');
    const actions = statements.flatMap((statement) => [statement.Action].flat()).sort();
    expect(actions).toEqual(['lambda:InvokeFunction', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].sort());
    expect(statements.find((statement) => statement.Action === 'lambda:InvokeFunction')!.Resource).toEqual({ 'Fn::GetAtt': [idOf('AWS::Lambda::Function', 'AutoStopFunction'), 'Arn'] });
    expect(statements.find((statement) => [statement.Action].flat().includes('sqs:SendMessage'))!.Resource).toEqual({ 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'AutoStopDeadLetters'), 'Arn'] });
  });

  it('lets the schedules function create and delete schedules of its group only, and pass only the scheduler role, to the scheduler', () => {
    const statements = policyOf('AutoStopSchedulesFunctionRole');
    const scheduling = statements.find((statement) => [statement.Action].flat().includes('scheduler:CreateSchedule'))!;
    expect([scheduling.Action].flat().sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
    const group = entries('AWS::Scheduler::ScheduleGroup')[0]![1].Properties.Name as string;
    expect(JSON.stringify(scheduling.Resource)).toContain(`:schedule/${group}/*`);
    const passRole = statements.find((statement) => statement.Action === 'iam:PassRole')!;
    expect(passRole).toMatchObject({
      Resource: { 'Fn::GetAtt': [idOf('AWS::IAM::Role', 'AutoStopSchedulerRole'), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    // It reads the stream (the event source mapping's own permissions) and touches no item.
    expect(
      statements
        .flatMap((statement) => [statement.Action].flat())
        .filter((action) => action.startsWith('dynamodb:'))
        .sort(),
    ).toEqual(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams']);
  });

  it("gives the auto-stop function the stop's DynamoDB actions, and dead-letters its failed invocations with an alarm", () => {
    const statements = policyOf('AutoStopFunctionRole');
    const dynamo = statements.find((statement) => [statement.Action].flat().some((action: string) => action.startsWith('dynamodb:')))!;
    expect([dynamo.Action].flat().sort()).toEqual([...autoStopFunctions.autoStop.dynamodbActions].sort());
    const deadLettersId = idOf('AWS::SQS::Queue', 'AutoStopDeadLetters');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: idOf('AWS::Lambda::Function', 'AutoStopFunction') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [deadLettersId, 'Arn'] } } },
    });
    const alarms = entries('AWS::CloudWatch::Alarm').map(([id, alarm]) => [id, alarm.Properties] as const);
    for (const [queuePrefix, alarmPrefix] of [
      ['AutoStopDeadLetters', 'MonitoringAutoStopDeadLetters'],
      ['AutoStopStreamFailures', 'MonitoringAutoStopStreamFailures'],
    ] as const) {
      const [, alarm] = alarms.find(([id]) => id.startsWith(alarmPrefix))!;
      expect(alarm).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', queuePrefix), 'QueueName'] } }],
      });
      expect(resources('AWS::SQS::Queue')[idOf('AWS::SQS::Queue', queuePrefix)]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    }
  });
});

describe('exports', () => {
  const entries = (type: string) => Object.entries(resources(type));
  const idOf = (type: string, prefix: string) => entries(type).find(([id]) => id.startsWith(prefix))![0];
  const onS3 = (rolePrefix: string) => statementsOf(rolePrefix).filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('s3:')));
  const exportFiles = () => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf('AWS::S3::Bucket', 'ExportsBucket'), 'Arn'] }, '/workspaces/*']] });

  it('keeps the files in a KMS-encrypted, private, TLS-only bucket that deletes them after 7 days', () => {
    expect(entries('AWS::S3::Bucket')).toHaveLength(1);
    const [, bucket] = entries('AWS::S3::Bucket')[0]!;
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([{ Status: 'Enabled', ExpirationInDays: 7, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]);
    const [, policy] = entries('AWS::S3::BucketPolicy')[0]!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('lets the worker alone write files, the get route alone read them, and nobody list the bucket', () => {
    expect(onS3('ExportWorkerFunction')).toEqual([expect.objectContaining({ Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: exportFiles() })]);
    expect(onS3('GetExportFunction')).toEqual([expect.objectContaining({ Action: 's3:GetObject', Resource: exportFiles() })]);
    const everyone = [...roleStatements(template.toJSON())].filter(([id]) => !id.startsWith('ExportWorkerFunction') && !id.startsWith('GetExportFunction'));
    for (const [, statements] of everyone) expect(JSON.stringify(statements)).not.toContain('"s3:');
    expect(JSON.stringify(template.toJSON())).not.toContain('s3:ListBucket');
  });

  it('runs one job an invocation off its queue, for up to 15 minutes, then its dead-letter queue after 3 receives', () => {
    const queueId = idOf('AWS::SQS::Queue', 'ExportJobs');
    const [, queue] = entries('AWS::SQS::Queue').find(([id]) => id === queueId)!;
    expect(queue.Properties).toMatchObject({
      VisibilityTimeout: 1800,
      RedrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'ExportDeadLetters'), 'Arn'] } },
    });
    const [, mapping] = entries('AWS::Lambda::EventSourceMapping').find(([, candidate]) => candidate.Properties.FunctionName.Ref.startsWith('ExportWorkerFunction'))!;
    expect(mapping.Properties).toMatchObject({ BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    const createFn = entries('AWS::Lambda::Function').find(([id]) => id.startsWith('CreateExportFunction'))![1];
    expect(createFn.Properties.Environment.Variables.EXPORT_QUEUE_URL).toEqual({ Ref: queueId });
    // The worker queues a paused job again, on its own queue.
    const workerFn = entries('AWS::Lambda::Function').find(([id]) => id.startsWith('ExportWorkerFunction'))![1];
    expect(workerFn.Properties.Environment.Variables).toMatchObject({ EXPORT_QUEUE_URL: { Ref: queueId }, EXPORTS_BUCKET: { Ref: idOf('AWS::S3::Bucket', 'ExportsBucket') } });
    const sends = statementsOf('ExportWorkerFunction').filter((statement) => [statement.Action].flat().includes('sqs:SendMessage'));
    expect(sends.map((statement) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    expect(createFn.Properties.Environment.Variables.EXPORTS_BUCKET).toBeUndefined();
    expect(onS3('CreateExportFunction')).toEqual([]);
  });
});
