import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDocsPage } from '../scripts/build-docs-page.ts';
import {
  DEFAULT_DELIVERY_CONCURRENCY,
  DELIVERY_QUEUE_SOURCE,
  EXPORT_MAX_RECEIVES,
  EXPORT_QUEUE_SOURCE,
  EXPORT_WORKER_TIMEOUT_SECONDS,
  TABLE_STREAM_SOURCE,
} from '../shared/contracts/event-source-settings.ts';
import { authorizerFunction, autoStopFunctions, exportFunctions, functionNames, publicRoutes, routeList, webhookFunctions } from '../shared/contracts/routes.ts';
import { webhookStreamFilterPatterns } from '../shared/contracts/webhook-events.ts';
import { autoStopStreamFilterPatterns } from '../shared/scheduling/auto-stop-schedules.ts';
import { MAX_DELIVERY_RECEIVES } from '../shared/webhooks/delivery.ts';
import { lambdaContext, type EmulatedRoute, type LambdaFunction } from './api-gateway/http-api-emulator.ts';
import { startLocalKms } from './kms/local-kms.ts';
import { startEventSourceMappings, type EventSourceMapping } from './lambda/event-source-mappings.ts';
import { LOCAL_EXPORTS_BUCKET, startLocalS3 } from './s3/local-s3.ts';
import { startLocalScheduler } from './scheduler/local-scheduler.ts';
import { recoverAutoStopSchedules } from './scheduler/recover-schedules.ts';
import { startLocalQueue } from './sqs/local-queue.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every function's timeout on this machine: the stack's (infra/tracking-function.ts). */
const FUNCTION_TIMEOUT_MS = 10_000;
const DELIVERY_QUEUE = 'WebhookDeliveries';
const EXPORT_QUEUE = 'ExportJobs';

/** What both local runtimes give the server: the API's routes and functions, and the functions invoked by the stream, the queue and the scheduler. */
export type LocalRuntime = {
  routes: EmulatedRoute[];
  functions: Record<string, LambdaFunction>;
  authorizer: LambdaFunction;
  authorizerCacheTtlSeconds: number;
  functionTimeoutsMs?: Record<string, number>;
  /** Starts the event source mappings (the stream to the webhook fan-out and the auto-stop schedules, the queue to the delivery); resolves with their stop. */
  startEventSources: (log: (line: string) => void) => Promise<() => Promise<void>>;
  stop: () => Promise<void>;
};

/**
 * `npm start`: the TypeScript handlers in this process, each read at import as a Lambda
 * cold start reads its configuration, and the services they reach emulated on this machine
 * as they are deployed: the webhook delivery queue (local/sqs), KMS for the webhook secrets
 * (local/kms), EventBridge Scheduler for auto-stop (local/scheduler), and the same event
 * source mappings as the stack (local/lambda/event-source-mappings.ts), with the stack's own
 * batch sizes, filters, retries and dead-letter count (shared/contracts/event-source-settings.ts).
 */
export async function startSourceRuntime(settings: {
  tableName: string;
  dynamodbEndpoint: string;
  region: string;
  /** A factor on every queue delay, stream retry and schedule (WEBHOOK_RETRY_SCALE). */
  timeScale: number;
  authorizerCacheTtlSeconds: number;
  /** Where the local KMS keeps the key of the webhook secrets (the data directory); in memory when undefined. */
  kmsKeyFile: string | undefined;
  /** Where the local S3 keeps the export files (the data directory); a temporary folder when undefined. */
  s3Directory: string | undefined;
}): Promise<LocalRuntime> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => {});
  };
  const functions: Record<string, LambdaFunction> = {};
  const log = (line: string) => console.log(line);
  try {
    // The docs function serves files built at build time: build them for this run.
    const docsDir = await mkdtemp(join(tmpdir(), 'time-tracking-docs-'));
    stops.push(() => rm(docsDir, { recursive: true, force: true }));
    buildDocsPage(docsDir);
    process.env.DOCS_DIR = docsDir;

    // EventBridge Scheduler on this machine: the schedules function reaches it as the deployed one reaches the service.
    const localArn = (name: string) => `arn:aws:lambda:${settings.region}:000000000000:function:${name}`;
    const scheduler = await startLocalScheduler({
      invoke: async (targetArn, event) => {
        const name = Object.keys(functions).find((candidate) => localArn(candidate) === targetArn);
        if (!name) throw new Error(`no function ${targetArn} here`);
        return functions[name]!(event, lambdaContext(name, Date.now() + FUNCTION_TIMEOUT_MS));
      },
      timeScale: settings.timeScale,
      log,
    });
    stops.push(scheduler.stop);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SCHEDULER: scheduler.endpoint,
      AUTO_STOP_SCHEDULE_GROUP: 'local-auto-stop',
      AUTO_STOP_TARGET_ARN: localArn(autoStopFunctions.autoStop.functionName),
      AUTO_STOP_ROLE_ARN: 'arn:aws:iam::000000000000:role/local-auto-stop-scheduler',
      AUTO_STOP_DEAD_LETTER_ARN: `arn:aws:sqs:${settings.region}:000000000000:local-auto-stop-dead-letters`,
    });

    // The webhook delivery queue: the functions send to it and the delivery function delays its retries on it, as deployed.
    const deliveries = await startLocalQueue(
      // Six times the function's timeout, as the stack sets it.
      { logicalId: DELIVERY_QUEUE, visibilityTimeoutSeconds: (6 * FUNCTION_TIMEOUT_MS) / 1000, maxReceiveCount: MAX_DELIVERY_RECEIVES },
      { timeScale: settings.timeScale, region: settings.region, log },
    );
    stops.push(deliveries.stop);
    const queueFront = await deliveries.endpointFor('npm-start', [{ effect: 'Allow', actions: ['sqs:SendMessage', 'sqs:ChangeMessageVisibility'], resources: ['*'] }]);
    Object.assign(process.env, { WEBHOOK_QUEUE_URL: queueFront.queueUrl, AWS_ENDPOINT_URL_SQS: queueFront.endpoint });

    // KMS for the webhook secrets, its key in the data directory: what one run sealed, the next opens.
    const kms = await startLocalKms({ region: settings.region, keyLogicalId: 'local-webhook-secrets', keyFile: settings.kmsKeyFile });
    stops.push(kms.stop);
    Object.assign(process.env, {
      WEBHOOK_SECRETS_KEY_ARN: kms.keyArn,
      AWS_ENDPOINT_URL_KMS: (await kms.endpointFor('npm-start', [{ effect: 'Allow', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'] }])).endpoint,
    });
    // The local services accept any signature; without credentials the SDK would not sign at all.
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

    // Exports: the job queue (the create route sends, the worker consumes) and the bucket on a local S3 server.
    const exportJobs = await startLocalQueue(
      { logicalId: EXPORT_QUEUE, visibilityTimeoutSeconds: 2 * EXPORT_WORKER_TIMEOUT_SECONDS, maxReceiveCount: EXPORT_MAX_RECEIVES },
      { timeScale: settings.timeScale, region: settings.region, log },
    );
    stops.push(exportJobs.stop);
    const exportFront = await exportJobs.endpointFor('npm-start-exports', [{ effect: 'Allow', actions: ['sqs:SendMessage'], resources: ['*'] }]);
    const s3 = await startLocalS3({ bucket: LOCAL_EXPORTS_BUCKET, directory: settings.s3Directory, accessKeyIds: [process.env.AWS_ACCESS_KEY_ID] });
    stops.push(s3.stop);
    // Each local queue has its endpoint: the export route's client talks to its queue URL's host.
    Object.assign(process.env, { EXPORT_QUEUE_URL: exportFront.queueUrl, EXPORTS_BUCKET: LOCAL_EXPORTS_BUCKET, AWS_ENDPOINT_URL_S3: s3.endpoint });

    const background = [...Object.values(webhookFunctions), ...Object.values(autoStopFunctions), ...Object.values(exportFunctions)].map((fn) => fn.functionName);
    for (const name of [...functionNames, ...background]) {
      functions[name] = (await import(resolve(ROOT, 'functions', name, 'handler.ts'))).handler as LambdaFunction;
    }
    const mappings: EventSourceMapping[] = [
      { functionLogicalId: webhookFunctions.fanOut.functionName, source: { kind: 'stream' }, filterPatterns: webhookStreamFilterPatterns(), maximumConcurrency: undefined, ...TABLE_STREAM_SOURCE },
      {
        functionLogicalId: autoStopFunctions.schedules.functionName,
        source: { kind: 'stream' },
        filterPatterns: autoStopStreamFilterPatterns(),
        maximumConcurrency: undefined,
        ...TABLE_STREAM_SOURCE,
      },
      {
        functionLogicalId: webhookFunctions.delivery.functionName,
        source: { kind: 'queue', queueLogicalId: DELIVERY_QUEUE },
        filterPatterns: [],
        maximumConcurrency: DEFAULT_DELIVERY_CONCURRENCY,
        retryAttempts: undefined,
        ...DELIVERY_QUEUE_SOURCE,
      },
      {
        functionLogicalId: exportFunctions.worker.functionName,
        source: { kind: 'queue', queueLogicalId: EXPORT_QUEUE },
        filterPatterns: [],
        maximumConcurrency: undefined,
        retryAttempts: undefined,
        ...EXPORT_QUEUE_SOURCE,
      },
    ];
    const functionTimeoutsMs = Object.fromEntries(
      Object.keys(functions).map((name) => [name, name === exportFunctions.worker.functionName ? EXPORT_WORKER_TIMEOUT_SECONDS * 1000 : FUNCTION_TIMEOUT_MS]),
    );

    return {
      routes: [...routeList, ...publicRoutes.map((route) => ({ ...route, public: true }))],
      functions,
      authorizer: functions[authorizerFunction.functionName]!,
      authorizerCacheTtlSeconds: settings.authorizerCacheTtlSeconds,
      startEventSources: async (sourceLog) => {
        const sources = await startEventSourceMappings({
          eventSources: mappings,
          functions,
          timeoutsMs: functionTimeoutsMs,
          queues: new Map([
            [DELIVERY_QUEUE, deliveries],
            [EXPORT_QUEUE, exportJobs],
          ]),
          endpoint: settings.dynamodbEndpoint,
          region: settings.region,
          tableName: settings.tableName,
          timeScale: settings.timeScale,
          log: sourceLog,
        });
        const schedules = autoStopFunctions.schedules.functionName;
        await recoverAutoStopSchedules({
          endpoint: settings.dynamodbEndpoint,
          region: settings.region,
          tableName: settings.tableName,
          invokeSchedules: (event) => functions[schedules]!(event, lambdaContext(schedules, Date.now() + FUNCTION_TIMEOUT_MS)),
        });
        return sources.stop;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
