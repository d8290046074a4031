import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStackConfig, StackConfigError } from './stack-config.ts';
import { TimeTrackingStack } from './time-tracking-stack.ts';

/**
 * The CDK app: `npm run synth` (offline, no credentials) or `npx cdk deploy -c …`.
 * cdk-nag's AWS Solutions checks run on every synth and fail it on any finding that is
 * not acknowledged, with a reason, in the stack.
 */
const app = new App();
try {
  const config = readStackConfig((key) => app.node.tryGetContext(key));
  new TimeTrackingStack(app, app.node.tryGetContext('stackName') ?? 'TimeTrackingApi', config, {
    description: 'Time Tracking API 2.0.0: HTTP API, Lambda authorizer and handlers, one DynamoDB table',
  });
} catch (error) {
  if (error instanceof StackConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
