import { describe, expect, it } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TimeTrackingApi, TimeTrackingApiPropsError, type TimeTrackingApiProps } from 'time-tracking-api/cdk';
import { routeList } from '../../shared/contracts/routes.ts';
import { buildEmbedApp } from '../../examples/embed/app.ts';

/** The construct a team embeds, on its own and in the example app (bundling skipped). */
const noBundling = { 'aws:cdk:bundling-stacks': [] };
const auth = { jwksUrl: 'https://auth.example.com/jwks.json', issuer: 'https://auth.example.com/', audience: 'api' };
const inStack = (props: Partial<TimeTrackingApiProps> = {}) => {
  const app = new App({ context: noBundling });
  const stack = new Stack(app, 'Host', { env: { account: '111111111111', region: 'eu-west-1' } });
  const api = new TimeTrackingApi(stack, 'TimeTracking', { auth, ...props });
  return { app, stack, api, template: Template.fromStack(stack) };
};

describe('TimeTrackingApi', () => {
  it('exposes its URL, API, table, alarm topic and every function', () => {
    const { api, stack } = inStack();
    expect(Object.keys(api.functions).sort()).toEqual(
      [...routeList.map((route) => route.name), 'authorizer', 'docs', 'webhookDelivery', 'webhookFanOut', 'autoStop', 'autoStopSchedules', 'exportWorker'].sort(),
    );
    expect(stack.resolve(api.url)).toEqual(stack.resolve(api.stage.url));
    expect(api.httpApi).toBeDefined();
    expect(api.table).toBeDefined();
    expect(api.alarmTopic).toBeDefined();
    expect(api.autoStopScheduleGroup).toBeDefined();
    expect(api.autoStopSchedulerRole).toBeDefined();
    expect(api.domainName).toBeUndefined();
  });

  it('with a custom domain: the domain name, its mapping to the stage, the alias record, and the URL on the domain', () => {
    const app = new App({ context: noBundling });
    const stack = new Stack(app, 'Host', { env: { account: '111111111111', region: 'eu-west-1' } });
    const certificate = Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:111111111111:certificate/abc');
    const api = new TimeTrackingApi(stack, 'TimeTracking', { auth, domain: { domainName: 'time.example.com', certificate } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'time.example.com',
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc', EndpointType: 'REGIONAL' })],
    });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    expect(api.url).toBe('https://time.example.com/');
  });

  it('sends its alarms to an existing topic when given one, and creates no topic nor a key for it (the webhook secrets have theirs)', () => {
    const app = new App({ context: noBundling });
    const stack = new Stack(app, 'Host');
    const topic = new sns.Topic(stack, 'Ops');
    const api = new TimeTrackingApi(stack, 'TimeTracking', { auth, alarmTopic: topic });
    const template = Template.fromStack(stack);
    expect(api.alarmTopic).toBe(topic);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(Object.keys(template.findResources('AWS::KMS::Key')).map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['TimeTrackingWebhookSecretsKey']);
    const topicId = stack.getLogicalId(topic.node.defaultChild as never);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it.each([
    ['a JWKS URL that is not https', { auth: { ...auth, jwksUrl: 'http://auth.example.com/jwks' } }, 'auth.jwksUrl must be an https:// URL'],
    ['an empty audience', { auth: { ...auth, audience: ' ' } }, 'auth.audience must not be empty'],
    ['an unknown algorithm', { auth: { ...auth, algorithms: ['HS256' as never] } }, 'auth.algorithms may only list'],
    ['a negative rate limit', { rateLimitPerMinute: -1 }, 'rateLimitPerMinute must be an integer from 0 to 1000000'],
    ['a delivery concurrency of 1', { webhookDeliveryConcurrency: 1 }, 'webhookDeliveryConcurrency must be an integer from 2 to 1000'],
    ['a bad domain name', { domain: { domainName: 'not a host', certificate: undefined as never } }, 'domain.domainName must be a host name'],
    ['a bad CORS origin', { corsAllowedOrigins: ['app.example.com'] }, 'corsAllowedOrigins takes origins like'],
  ])('refuses %s at synth, naming the prop', (_name, props, message) => {
    expect(() => inStack(props as Partial<TimeTrackingApiProps>)).toThrow(TimeTrackingApiPropsError);
    expect(() => inStack(props as Partial<TimeTrackingApiProps>)).toThrow(message);
  });

  it('refuses alarmEmail with alarmTopic, and says every problem at once', () => {
    const app = new App({ context: noBundling });
    const stack = new Stack(app, 'Host');
    const topic = new sns.Topic(stack, 'Ops');
    const build = () => new TimeTrackingApi(stack, 'A', { auth: { ...auth, jwksUrl: 'ftp://x' }, alarmTopic: topic, alarmEmail: 'ops@example.com' });
    expect(build).toThrow(
      'Invalid TimeTrackingApi props:\n  - auth.jwksUrl must be an https:// URL (got "ftp://x")\n  - alarmEmail and alarmTopic do not go together: subscribe the address to your own topic',
    );
  });
});

describe('the embedding example (examples/embed)', () => {
  const { app, stack, opsAlerts } = buildEmbedApp(new App({ context: noBundling }));
  const template = Template.fromStack(stack);

  it('synthesizes next to its own resource, behind its custom domain with an alias record, alarms to its own topic', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'time.example.com' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'time.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ', AliasTarget: Match.objectLike({}) });
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const topicId = stack.getLogicalId(opsAlerts.node.defaultChild as never);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['TimeTrackingTable', 'TimeTrackingUrl']);
  });

  it('is cdk-nag clean', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations).toEqual([]);
  });
});
