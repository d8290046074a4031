import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StackConfig } from './stack-config.ts';
import { TimeTrackingApi, type JwtAlgorithm } from './time-tracking-api.ts';

/**
 * This repository's stack: the CDK context (infra/stack-config.ts) read into the props of one
 * `TimeTrackingApi` construct, and the stack's outputs. The construct's id is `Default`,
 * which CloudFormation logical ids leave out, so that the resources keep the logical ids
 * they had when they were the stack's own (a deployed table is never replaced).
 */
export class TimeTrackingStack extends Stack {
  readonly service: TimeTrackingApi;

  constructor(scope: Construct, id: string, config: StackConfig, props?: StackProps) {
    super(scope, id, props);
    const service = (this.service = new TimeTrackingApi(this, 'Default', {
      auth: {
        jwksUrl: config.jwksUrl,
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
        userIdClaim: config.jwtUserIdClaim,
        algorithms: config.jwtAlgorithms.split(',').map((alg) => alg.trim()) as JwtAlgorithm[],
        cacheTtl: Duration.seconds(config.authorizerCacheTtlSeconds),
      },
      rateLimitPerMinute: config.rateLimitPerMinute,
      throttling: { rateLimit: config.throttlingRateLimit, burstLimit: config.throttlingBurstLimit },
      corsAllowedOrigins: config.corsAllowedOrigins,
      alarmEmail: config.alarmEmail,
      alarmThresholds: config.alarms,
      tracing: config.tracing,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      tableRemovalPolicy: config.throwaway ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      webhookDeliveryConcurrency: config.webhookDeliveryConcurrency,
      localDynamodbEndpoint: config.localDynamodbEndpoint,
    }));

    new CfnOutput(this, 'AlarmTopicArn', { value: service.alarmTopic.topicArn, description: 'Alarms are sent here: subscribe to it' });
    new CfnOutput(this, 'ApiUrl', { value: service.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'WebhookRedriveRoleArn', { value: service.webhookRedriveRole.roleArn, description: 'Assume it to redrive failed webhook deliveries (docs/operations.md, Runbooks)' });
    new CfnOutput(this, 'TableName', { value: service.table.tableName, description: 'The DynamoDB table (for the admin CLI: TABLE_NAME)' });
  }
}
