/**
 * A team's own CDK app that embeds the Time Tracking API (docs/deploy.md, "Embed in your CDK app"):
 * the construct from the package's public entry point, next to a resource of the team's own
 * (its operations topic, which the service's alarms are sent to), behind a custom domain.
 * Synthesizes offline, cdk-nag clean:
 *
 *   cd examples/embed && npx cdk synth     (or: npm run synth:example from the repository root)
 */
import { App, CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TimeTrackingApi } from 'time-tracking-api/cdk';

export function buildEmbedApp(app: App = new App()) {
  const env = { account: '111111111111', region: 'eu-west-1' };
  const stack = new Stack(app, 'PayrollPlatform', { env, description: 'The payroll team’s platform, with the Time Tracking API embedded' });

  // The team's own operations topic (encrypted; CloudWatch alarms of this account may publish to it).
  const opsKey = new kms.Key(stack, 'OpsAlertsKey', { enableKeyRotation: true, description: 'Encrypts the operations topic' });
  opsKey.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': env.account } },
    }),
  );
  const opsAlerts = new sns.Topic(stack, 'OpsAlerts', { displayName: 'Payroll platform alerts', masterKey: opsKey, enforceSSL: true });

  // Existing DNS and certificate, referenced (no lookup: synthesizes offline).
  const hostedZone = HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
  const certificate = Certificate.fromCertificateArn(stack, 'Certificate', `arn:aws:acm:${env.region}:${env.account}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`);

  const timeTracking = new TimeTrackingApi(stack, 'TimeTracking', {
    auth: { jwksUrl: 'https://auth.example.com/.well-known/jwks.json', issuer: 'https://auth.example.com/', audience: 'time-tracking-api', cacheTtl: Duration.minutes(1) },
    rateLimitPerMinute: 120,
    alarmTopic: opsAlerts,
    domain: { domainName: 'time.example.com', certificate, hostedZone },
  });

  new CfnOutput(stack, 'TimeTrackingUrl', { value: timeTracking.url });
  new CfnOutput(stack, 'TimeTrackingTable', { value: timeTracking.table.tableName });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, timeTracking, opsAlerts };
}

if (import.meta.url === `file://${process.argv[1]}`) buildEmbedApp().app.synth();
