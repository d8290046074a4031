import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../shared/observability/metric-names.ts';
import { SHIPPED_BUNDLE } from './bundle-options.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export type TrackingFunctionProps = {
  /** Folder under functions/ holding `handler.ts`. */
  functionName: string;
  environment: Record<string, string>;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /** Lambda active tracing (X-Ray): off unless the stack's context turns it on. */
  tracing?: boolean;
};

/**
 * Every function of the service, with the same defaults:
 * - Node.js 24 on arm64 (cheaper per ms, as fast for this I/O-bound code);
 * - 512 MB: Lambda's CPU share grows with memory, and 512 MB roughly halves cold-start
 *   import time compared with 128 MB for a few tenths of a cent per million requests;
 * - 10 s timeout: a request makes at most 3 DynamoDB calls with bounded retries
 *   (shared/db/document-client.ts), and middy answers 503 before Lambda would kill it;
 * - one CommonJS bundle, minified with names kept, the AWS SDK inside (its version is the
 *   one the tests ran, and bundling lets esbuild drop what is not used), built by the local
 *   esbuild (no Docker). CommonJS loads faster than ESM (an ESM import of node:http builds
 *   its facade); Node's --enable-source-maps is off (it costs every cold start): stack
 *   traces keep function names, and the source map ships beside the bundle for mapping a
 *   logged trace afterwards (`npm run stacktrace`). Measured in `npm run bench` (README,
 *   Performance);
 * - its own log group with a retention, and a role that may write only there.
 * DynamoDB permissions are granted per function, by the stack, from the route table.
 */
export class TrackingFunction extends NodejsFunction {
  /** Every function's timeout: the alarms on duration are set against it. */
  static readonly TIMEOUT = Duration.seconds(10);

  constructor(scope: Construct, id: string, props: TrackingFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.functionName} function: its own logs and the table actions it uses, nothing else.`,
    });
    super(scope, id, {
      entry: `${ROOT}functions/${props.functionName}/handler.ts`,
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: TrackingFunction.TIMEOUT,
      ...(props.tracing ? { tracing: lambda.Tracing.ACTIVE } : {}),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.CJS,
        target: SHIPPED_BUNDLE.target,
        platform: 'node',
        minify: SHIPPED_BUNDLE.minify,
        keepNames: SHIPPED_BUNDLE.keepNames,
        sourceMap: true,
        sourcesContent: false,
        bundleAwsSDK: true,
        mainFields: [...SHIPPED_BUNDLE.mainFields],
        forceDockerBundling: false,
      },
    });
    logGroup.grantWrite(role);
  }
}
