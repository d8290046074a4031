import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lock } from 'proper-lockfile';
import type { LambdaFunction } from '../api-gateway/http-api-emulator.ts';
import type { LocalRuntime } from '../source-runtime.ts';
import { startIamProxy } from '../dynamodb/iam-proxy.ts';
import { startLocalKms } from '../kms/local-kms.ts';
import { startLocalQueue } from '../sqs/local-queue.ts';
import { LOCAL_EXPORTS_BUCKET, startLocalS3 } from '../s3/local-s3.ts';
import { startS3Front } from '../s3/s3-front.ts';
import { getAttTarget } from '../iam/policy-decision.ts';
import { localArnOf, readTemplateApi, resolveEnvironmentWithArns, TemplateError, type Template } from './template-model.ts';
import { FunctionError, startFunctionHost, type FunctionHost } from '../lambda/function-host.ts';
import { startLocalScheduler } from '../scheduler/local-scheduler.ts';

/**
 * `npm run start:template`: the API as the synthesized CloudFormation template deploys it
 * (docs/architecture.md, "What deploys"), on one machine. Like `sam local start-api -t
 * <template>`: routes, integrations and the authorizer from the template; each function is
 * its bundled asset, started with its `Handler`, its environment (the table reference
 * resolved to the local table), its `MemorySize` and its `Timeout`, under AWS's own runtime
 * interface client (local/lambda/function-host.ts); and, unlike sam local,
 * each function reaches DynamoDB (and the webhook queue) through a proxy that enforces its
 * role's policies. The template's event sources run too: the table's stream to the webhook
 * fan-out and the delivery queue to the webhook delivery, each from its bundle.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const STACK_NAME = 'TimeTrackingApi';

/** What deploys, run here: the runtime `npm start` serves (routes, functions, event sources), and each function's host. */
export type TemplateRuntime = LocalRuntime & {
  /** Each function's host: its invocations with their outcome and REPORT. */
  hosts: Record<string, FunctionHost>;
  functionTimeoutsMs: Record<string, number>;
};

/**
 * Synthesizes the stack with the CDK CLI (offline, as `npm run synth` does), with context
 * that mirrors the local settings, into `outDir`.
 */
export async function synthesizeTemplate(outDir: string, context: Record<string, string>): Promise<void> {
  const cli = join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const args = [cli, 'synth', '--quiet', '-o', outDir, ...Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
  // The CLI runs the app (`node infra/app.ts`) through PATH: make that this Node 24.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new TemplateError(`cdk synth failed (exit ${code}):\n${output.trim().split('\n').slice(-15).join('\n')}`);
}

/**
 * The context a local synthesis gets from the local settings (AUTH_CACHE_TTL_SECONDS,
 * RATE_LIMIT_PER_MINUTE), the same for `npm run start:template`, `npm run invoke` and the
 * tests, so that one synthesis serves them all; the issuer is replaced at run time.
 */
export function localTemplateContext(env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    jwksUrl: 'https://issuer.invalid/.well-known/jwks.json',
    jwtIssuer: 'replaced-at-run-time',
    jwtAudience: 'replaced-at-run-time',
    authorizerCacheTtlSeconds: String(Number(env.AUTH_CACHE_TTL_SECONDS ?? 300)),
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE ?? '60',
    throwaway: 'true',
  };
}

/**
 * What of this process's environment reaches the template's functions on this machine: the
 * issuer settings that replace the template's `AUTH_*`, and the local tuning (log level,
 * metrics, windows and scales for tests, the region and time zone).
 */
export function localFunctionSettings(env: NodeJS.ProcessEnv): { auth: Record<string, string>; runtime: Record<string, string> } {
  const pick = (names: readonly string[]) => Object.fromEntries(names.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name]!]])));
  return {
    auth: pick(['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_USER_ID_CLAIM', 'AUTH_ALGORITHMS', 'AUTH_CLOCK_TOLERANCE_SECONDS']),
    runtime: pick([
      'AWS_REGION',
      'POWERTOOLS_LOG_LEVEL',
      'POWERTOOLS_METRICS_DISABLED',
      'RATE_LIMIT_WINDOW_SECONDS',
      'WEBHOOK_ALLOW_HTTP_LOOPBACK',
      'WEBHOOK_FAILING_DISABLE_AFTER_SECONDS',
      'WEBHOOK_RETRY_SCALE',
      'TZ',
    ]),
  };
}

/**
 * The folder of a synthesized template for a local run, synthesized when needed:
 * `templateDir` as given; else one per context in `templateCacheDir` (a test run's, made
 * once); else `<dataDir>/cdk.out` (with DATA_DIR=memory, a folder of the temporary directory
 * for this checkout and context), made again when its context changed or a source of the
 * stack (infra/, functions/, shared/, the lock file) is newer.
 */
export async function localTemplateDir(settings: { templateDir?: string; templateCacheDir?: string; dataDir: string; context: Record<string, string>; log: (line: string) => void }): Promise<string> {
  if (settings.templateDir) return settings.templateDir;
  const contextText = JSON.stringify(settings.context);
  const templateDir = settings.templateCacheDir
    ? join(settings.templateCacheDir, createHash('sha256').update(contextText).digest('hex').slice(0, 16))
    : settings.dataDir === 'memory'
      ? // One per checkout and context in the temporary folder, reused while up to date, rather than a new synthesis every run.
        join(tmpdir(), `time-tracking-cdk-${createHash('sha256').update(`${ROOT}\n${contextText}`).digest('hex').slice(0, 16)}`)
      : join(settings.dataDir, 'cdk.out');
  const templateFile = join(templateDir, `${STACK_NAME}.template.json`);
  const contextFile = join(templateDir, 'local-context.json');
  const upToDate =
    existsSync(templateFile) &&
    (settings.templateCacheDir !== undefined || (existsSync(contextFile) && readFileSync(contextFile, 'utf8') === contextText && newestSourceMs() <= statSync(templateFile).mtimeMs));
  if (!upToDate) {
    // Servers of one test run sharing the cache may start together: one synthesizes, the others wait for it (the CDK CLI refuses two at once).
    const release = settings.templateCacheDir ? await synthesisLock(templateDir) : undefined;
    try {
      // A server that waited for the lock finds what the other one synthesized.
      if (!(release && existsSync(templateFile))) {
        settings.log(`Synthesizing the stack into ${templateDir}…`);
        await synthesizeTemplate(templateDir, settings.context);
        writeFileSync(contextFile, contextText);
      }
    } finally {
      await release?.();
    }
  }
  return templateDir;
}

/**
 * One synthesis at a time into a folder of the shared cache, across processes: proper-lockfile's
 * lock beside the folder, kept fresh by its holder and taken over once stale (its holder
 * gone). A synthesis takes about a minute on two cores: a waiter waits up to five.
 */
function synthesisLock(templateDir: string): Promise<() => Promise<void>> {
  mkdirSync(dirname(templateDir), { recursive: true });
  return lock(templateDir, {
    realpath: false,
    lockfilePath: `${templateDir}.lock`,
    stale: 30_000,
    update: 10_000,
    retries: { retries: 1200, factor: 1, minTimeout: 250, maxTimeout: 250 },
  });
}

/** The newest modification time of what a synthesis reads from this checkout. */
function newestSourceMs(): number {
  let newest = 0;
  const visit = (path: string) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const path of ['infra', 'functions', 'shared', 'package-lock.json', 'cdk.json']) visit(join(ROOT, path));
  return newest;
}

export async function startTemplateRuntime(options: {
  templateFile: string;
  tableName: string;
  dynamodbEndpoint: string;
  /** Replaces the template's AUTH_* values, as `npm start`'s AUTH_* (or its local issuer) would. */
  authEnvironment: Record<string, string>;
  /** Runtime settings passed to every function (log level, region, …). */
  runtimeEnvironment: Record<string, string>;
  /** A factor on every queue delay and stream retry (WEBHOOK_RETRY_SCALE). */
  timeScale: number;
  region: string;
  /** Where the local KMS keeps the template's key (the data directory); in memory when undefined. */
  kmsKeyFile?: string;
  /** Where the local S3 keeps the template's bucket (the data directory); a temporary folder when undefined. */
  s3Directory?: string;
  /** The most execution environments of one function at once (its concurrency on this machine). */
  maxEnvironmentsPerFunction: number;
  /** One function only (`npm run invoke`), with what it reaches; every function of the API otherwise. */
  only?: string;
  /** Start each function's first environment now (a server), or at its first invocation (a cold `npm run invoke`). */
  prewarm?: boolean;
  /** Where the functions' own output goes: stdout (a server's log) or stderr (`npm run invoke`). */
  functionOutput?: 'stdout' | 'stderr';
  /** The platform's lines (START, END, REPORT, timeouts); a server shows only the timeouts. */
  platformLog?: (functionLogicalId: string, line: string) => void;
}): Promise<TemplateRuntime> {
  const template = JSON.parse(readFileSync(options.templateFile, 'utf8')) as Template;
  const api = readTemplateApi(template, dirname(options.templateFile));
  if (api.authorizer.identitySource.join(',') !== '$request.header.Authorization' || !api.authorizer.simpleResponses || api.authorizer.payloadFormatVersion !== '2.0') {
    throw new TemplateError('the emulator serves a REQUEST authorizer with simple responses, payload 2.0, on $request.header.Authorization only');
  }

  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => {});
  };
  const selected = options.only ? [api.functions.get(options.only) ?? fail(new TemplateError(`${options.only} is not a function the API invokes`))] : [...api.functions.values()];
  try {
    const functions: Record<string, LambdaFunction> = {};
    const hosts: Record<string, FunctionHost> = {};
    const functionTimeoutsMs: Record<string, number> = {};
    // The queues the functions send to or read (the webhook deliveries): one local queue each.
    const queues = new Map<string, Awaited<ReturnType<typeof startLocalQueue>>>();
    const queueIds = new Set([
      ...(options.only ? [] : api.eventSources).flatMap((source) => (source.source.kind === 'queue' ? [source.source.queueLogicalId] : [])),
      ...selected.flatMap((fn) => Object.values(fn.environment).flatMap((value) => (api.queues.has((value as { Ref?: string })?.Ref ?? '') ? [(value as { Ref: string }).Ref] : []))),
    ]);
    // EventBridge Scheduler for the functions that make schedules; a schedule invokes its target by ARN.
    const functionsByArn = new Map<string, string>();
    const scheduler = await startLocalScheduler({
      invoke: async (targetArn, event) => {
        const logicalId = functionsByArn.get(targetArn);
        if (!logicalId || !hosts[logicalId]) throw new Error(`no function ${targetArn} here`);
        // The host gives the function its own context and deadline, as Lambda does for an asynchronous invocation.
        return hosts[logicalId]!.call(event);
      },
      timeScale: options.timeScale,
      log: (line) => console.log(line),
    });
    stops.push(scheduler.stop);
    // The template's KMS key (the webhook secrets'), on this machine; each function reaches it with its own role.
    const keyIds = [
      ...new Set(selected.flatMap((fn) => Object.values(fn.environment).map(getAttTarget)).filter((id): id is string => id !== undefined && template.Resources[id]?.Type === 'AWS::KMS::Key')),
    ];
    if (keyIds.length > 1) throw new TemplateError(`the emulator serves one KMS key to the functions; they name ${keyIds.join(', ')}`);
    const kms = keyIds[0] ? await startLocalKms({ region: options.region, keyLogicalId: keyIds[0], keyFile: options.kmsKeyFile }) : undefined;
    if (kms) stops.push(kms.stop);
    // The template's bucket (the export files'), on a local S3 server; each function reaches it through a front that enforces its role.
    const bucketIds = [
      ...new Set(
        selected
          .flatMap((fn) => Object.values(fn.environment).map((value) => (value as { Ref?: string })?.Ref))
          .filter((id): id is string => id !== undefined && template.Resources[id]?.Type === 'AWS::S3::Bucket'),
      ),
    ];
    if (bucketIds.length > 1) throw new TemplateError(`the emulator serves one S3 bucket to the functions; they name ${bucketIds.join(', ')}`);
    const bucketName = LOCAL_EXPORTS_BUCKET;
    const s3 = bucketIds[0] ? await startLocalS3({ bucket: bucketName, directory: options.s3Directory, accessKeyIds: ['local'] }) : undefined;
    if (s3) stops.push(s3.stop);
    for (const queueId of queueIds) {
      const queue = await startLocalQueue(api.queues.get(queueId)!, { timeScale: options.timeScale, region: options.region, log: (line) => console.log(line) });
      stops.push(queue.stop);
      queues.set(queueId, queue);
    }
    await Promise.all(
      selected.map(async (fn) => {
        const proxy = await startIamProxy({
          functionName: fn.logicalId,
          target: options.dynamodbEndpoint,
          statements: fn.statements,
          tableLogicalId: api.tableLogicalId,
          tableName: options.tableName,
        });
        stops.push(proxy.close);
        // Each queue the function names is reached through an endpoint that enforces its role.
        const refs: Record<string, string> = { [api.tableLogicalId]: options.tableName };
        let sqsEndpoint: string | undefined;
        for (const [queueId, queue] of queues) {
          if (!Object.values(fn.environment).some((value) => (value as { Ref?: string })?.Ref === queueId)) continue;
          const front = await queue.endpointFor(fn.logicalId, fn.statements);
          refs[queueId] = front.queueUrl;
          sqsEndpoint = front.endpoint;
        }
        let s3Endpoint: string | undefined;
        if (s3 && Object.values(fn.environment).some((value) => (value as { Ref?: string })?.Ref === bucketIds[0])) {
          const front = await startS3Front({ functionName: fn.logicalId, target: s3.endpoint, statements: fn.statements, bucketLogicalId: bucketIds[0]!, bucketName });
          stops.push(front.close);
          refs[bucketIds[0]!] = bucketName;
          s3Endpoint = front.endpoint;
        }
        const environment = resolveEnvironmentWithArns(fn, refs, template, options.region);
        const kmsEndpoint = kms && Object.values(fn.environment).some((value) => getAttTarget(value) === keyIds[0]) ? (await kms.endpointFor(fn.logicalId, fn.statements)).endpoint : undefined;
        functionsByArn.set(localArnOf(template, fn.logicalId, options.region)!, fn.logicalId);
        for (const name of Object.keys(environment)) if (name in options.authEnvironment) environment[name] = options.authEnvironment[name]!;
        const host = startFunctionHost({
          name: fn.logicalId,
          taskRoot: fn.assetDir,
          handler: fn.handler,
          memorySizeMb: fn.memorySizeMb,
          timeoutSeconds: fn.timeoutSeconds,
          region: options.region,
          logFormat: fn.logFormat,
          applicationLogLevel: fn.applicationLogLevel,
          maxEnvironments: Math.min(options.maxEnvironmentsPerFunction, fn.reservedConcurrency ?? Infinity),
          output: options.functionOutput ?? 'stdout',
          log: (line) => (options.platformLog ?? showTimeouts)(fn.logicalId, line),
          environment: {
            ...options.runtimeEnvironment,
            ...environment,
            DYNAMODB_ENDPOINT: proxy.endpoint,
            ...(sqsEndpoint ? { AWS_ENDPOINT_URL_SQS: sqsEndpoint } : {}),
            ...(kmsEndpoint ? { AWS_ENDPOINT_URL_KMS: kmsEndpoint } : {}),
            ...(s3Endpoint ? { AWS_ENDPOINT_URL_S3: s3Endpoint } : {}),
            AWS_ENDPOINT_URL_SCHEDULER: scheduler.endpoint,
            // As Lambda sets them (the role's credentials): the local endpoints accept any.
            AWS_ACCESS_KEY_ID: 'local',
            AWS_SECRET_ACCESS_KEY: 'local',
            AWS_SESSION_TOKEN: 'local',
          },
        });
        stops.push(host.stop);
        functions[fn.logicalId] = host.call as LambdaFunction;
        hosts[fn.logicalId] = host;
        functionTimeoutsMs[fn.logicalId] = fn.timeoutSeconds * 1000;
      }),
    );
    // Each function's first environment starts now: a function that cannot init fails the start, naming it. A few at a
    // time: deployed, each init has a machine of its own; here seventy at once on two cores would pass Lambda's 10-s
    // init limit for want of CPU, not for anything in the bundle.
    if (options.prewarm ?? true) {
      const waiting = Object.entries(hosts);
      const prewarmOne = async (): Promise<void> => {
        const next = waiting.shift();
        if (!next) return;
        const [logicalId, host] = next;
        await host.prewarm().catch((error: unknown) => {
          throw new TemplateError(`${logicalId} failed at init (${error instanceof FunctionError ? error.message : String(error)})`);
        });
        return prewarmOne();
      };
      await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, prewarmOne));
    }
    functionTimeoutsMs.authorizer = functionTimeoutsMs[api.authorizer.functionLogicalId]!;
    return {
      hosts,
      routes: api.routes.map((route) => ({ method: route.method, path: route.path, functionName: route.functionLogicalId, public: route.public })),
      functions,
      authorizer: functions[api.authorizer.functionLogicalId]!,
      authorizerCacheTtlSeconds: api.authorizer.resultTtlSeconds,
      functionTimeoutsMs,
      startEventSources: async (log) => {
        // Loaded here, not at start: `npm run invoke` runs no event source, and their SDK clients cost its every start.
        const [{ startEventSourceMappings }, { recoverAutoStopSchedules }] = await Promise.all([import('../lambda/event-source-mappings.ts'), import('../scheduler/recover-schedules.ts')]);
        const sources = await startEventSourceMappings({
          eventSources: api.eventSources,
          functions,
          timeoutsMs: functionTimeoutsMs,
          queues,
          endpoint: options.dynamodbEndpoint,
          region: options.region,
          tableName: options.tableName,
          timeScale: options.timeScale,
          log,
        });
        const schedulesFunction = [...api.functions.values()].find((fn) => 'AUTO_STOP_SCHEDULE_GROUP' in fn.environment);
        if (schedulesFunction) {
          await recoverAutoStopSchedules({
            endpoint: options.dynamodbEndpoint,
            region: options.region,
            tableName: options.tableName,
            invokeSchedules: (event) => hosts[schedulesFunction.logicalId]!.call(event),
          });
        }
        return sources.stop;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A server's log shows only what a developer must see of the platform: a timed-out invocation (START/END/REPORT would bury the request log). */
function showTimeouts(functionLogicalId: string, line: string) {
  if (line.includes(' Task timed out after ')) console.log(`${functionLogicalId}: ${line}`);
}

function fail(error: Error): never {
  throw error;
}
