/**
 * `npm start`: the whole API on one machine. Starts the real DynamoDB Local (unless
 * DYNAMODB_ENDPOINT is set), creates the table from the shared definition, loads the seed,
 * and serves the real handlers behind an API Gateway HTTP API emulator. See docs/local-runtime.md.
 *
 * `npm run start:template` (RUNTIME=template): the same, but the API, the functions and
 * their permissions come from the synthesized CloudFormation template (local/template/).
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSeed } from '../admin/seed-loader.ts';
import type { Seed } from '../admin/seed.ts';
import { ensureTable } from '../admin/table-admin.ts';
import { loadWebhookConfig } from '../shared/config/webhook-config.ts';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { createHttpApiEmulator } from './api-gateway/http-api-emulator.ts';
import { DEV_AUDIENCE, DEV_ISSUER, loadOrCreateDevIssuer, type DevIssuer } from './dev-issuer.ts';
import { startDynamoDbLocal, writeRunningDynamoDb, type DynamoDbLocal } from './dynamodb/dynamodb-local.ts';
import { startSourceRuntime, type LocalRuntime } from './source-runtime.ts';
import { localFunctionSettings, localTemplateContext, localTemplateDir, STACK_NAME, startTemplateRuntime } from './template/template-runtime.ts';

const DEFAULT_SEED = fileURLToPath(new URL('./demo-seed.json', import.meta.url));

type Settings = ReturnType<typeof readSettings>;

function readSettings(env: NodeJS.ProcessEnv) {
  const port = env.PORT ?? '3000';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new StartupError(`PORT must be a port number, got "${port}".`);
  const cacheTtl = env.AUTH_CACHE_TTL_SECONDS ?? '300';
  if (!/^\d{1,4}$/.test(cacheTtl)) throw new StartupError(`AUTH_CACHE_TTL_SECONDS must be 0-3600, got "${cacheTtl}".`);
  const warmContainers = (env.WARM_CONTAINERS ?? 'EAGER').toUpperCase();
  if (warmContainers !== 'EAGER' && warmContainers !== 'LAZY') throw new StartupError(`WARM_CONTAINERS must be EAGER or LAZY, got "${env.WARM_CONTAINERS}".`);
  const functionConcurrency = env.FUNCTION_CONCURRENCY ?? '10';
  if (!/^\d{1,3}$/.test(functionConcurrency) || Number(functionConcurrency) < 1) throw new StartupError(`FUNCTION_CONCURRENCY must be 1-999, got "${functionConcurrency}".`);
  if (env.DYNAMODB_LOCAL_PORT && !/^\d{1,5}$/.test(env.DYNAMODB_LOCAL_PORT)) throw new StartupError(`DYNAMODB_LOCAL_PORT must be a port number, got "${env.DYNAMODB_LOCAL_PORT}".`);
  return {
    port: Number(port),
    host: env.HOST || '127.0.0.1',
    dataDir: env.DATA_DIR === 'memory' ? ('memory' as const) : resolve(env.DATA_DIR || '.data'),
    seedFile: resolve(env.SEED_FILE || DEFAULT_SEED),
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    /** `source`: the TypeScript handlers; `template`: what the synthesized template deploys. */
    runtime: env.RUNTIME === 'template' ? ('template' as const) : ('source' as const),
    /** An already synthesized cdk.out folder for the template runtime (else it synthesizes one). */
    templateDir: env.TEMPLATE_DIR ? resolve(env.TEMPLATE_DIR) : undefined,
    /** Where synthesized templates are kept by their settings, for a run that starts many servers (the tests). */
    templateCacheDir: env.TEMPLATE_CACHE_DIR ? resolve(env.TEMPLATE_CACHE_DIR) : undefined,
    /** A fixed port for DynamoDB Local (e.g. 8000 for `sam local`); a free one otherwise. */
    dynamodbLocalPort: env.DYNAMODB_LOCAL_PORT ? Number(env.DYNAMODB_LOCAL_PORT) : undefined,
    tableName: env.TABLE_NAME || 'time-tracking-local',
    externalIssuer: Boolean(env.AUTH_JWKS_URL),
    authorizerCacheTtlSeconds: Number(cacheTtl),
    /** The template runtime: the most execution environments of one function at once. */
    functionConcurrency: Number(functionConcurrency),
    /** The template runtime, as `sam local start-api --warm-containers`: every function's first environment at start (EAGER), or at its first invocation (LAZY). */
    warmContainers: warmContainers as 'EAGER' | 'LAZY',
  };
}

class StartupError extends Error {}

async function main() {
  const settings = readSettings(process.env);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  // EMF metric lines are for CloudWatch; on one machine they would only bury the request log.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // Webhooks to a receiver on this machine (plain http to loopback) are allowed here only.
  process.env.WEBHOOK_ALLOW_HTTP_LOOPBACK ??= 'true';
  process.env.AWS_REGION ??= 'us-east-1';
  let ready = false;
  let dynamo: DynamoDbLocal | undefined;
  let server: Server | undefined;
  let stopFunctions: (() => Promise<void>) | undefined;
  let stopEventSources: (() => Promise<void>) | undefined;
  let endpointFile: string | undefined;

  const shutdown = async (code: number) => {
    server?.close();
    server?.closeAllConnections();
    await stopEventSources?.();
    await stopFunctions?.();
    if (endpointFile) await rm(endpointFile, { force: true });
    await dynamo?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    // Read the seed first: a bad file fails in milliseconds, before anything starts.
    const seed = await readSeedFile(settings.seedFile);

    // Listen early: a busy port fails fast, and /health says 503 until everything is ready.
    let handleApiRequest: ReturnType<typeof createHttpApiEmulator> | undefined;
    let devIssuer: DevIssuer | undefined;
    server = createServer((request, response) => {
      const url = request.url?.split('?')[0];
      if (request.method === 'GET' && url === '/health') {
        response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: ready ? 'ok' : 'starting' }));
        return;
      }
      if (request.method === 'GET' && url === '/.well-known/jwks.json' && devIssuer) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(devIssuer.jwks));
        return;
      }
      if (!handleApiRequest) {
        response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        response.end(JSON.stringify({ message: 'Service Unavailable' }));
        return;
      }
      void handleApiRequest(request, response);
    });
    const port = await listen(server, settings);
    const baseUrl = `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${port}`;

    if (settings.dynamodbEndpoint) {
      process.env.DYNAMODB_ENDPOINT = settings.dynamodbEndpoint;
    } else {
      const dbPath = settings.dataDir === 'memory' ? undefined : resolve(settings.dataDir, 'dynamodb');
      if (dbPath) await mkdir(dbPath, { recursive: true });
      console.log(`Starting DynamoDB Local (${dbPath ? `data in ${dbPath}` : 'in memory'})…`);
      dynamo = await startDynamoDbLocal({ dbPath, port: settings.dynamodbLocalPort });
      process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
      // `npm run invoke` reaches this DynamoDB Local while it runs, instead of a second JVM on the same files.
      if (dbPath) endpointFile = await writeRunningDynamoDb(settings.dataDir, { endpoint: dynamo.endpoint, pid: process.pid });
    }
    process.env.TABLE_NAME = settings.tableName;

    const client = createDocumentClient({ tableName: settings.tableName, region: process.env.AWS_REGION!, endpoint: process.env.DYNAMODB_ENDPOINT });
    const table = await ensureTable(client, settings.tableName);
    await loadSeed(client, settings.tableName, seed, { endpoint: process.env.DYNAMODB_ENDPOINT });
    client.destroy();

    if (!settings.externalIssuer) {
      devIssuer = await loadOrCreateDevIssuer(settings.dataDir);
      process.env.AUTH_JWKS_URL = `${baseUrl}/.well-known/jwks.json`;
      process.env.AUTH_ISSUER = DEV_ISSUER;
      process.env.AUTH_AUDIENCE = DEV_AUDIENCE;
    }

    const runtime =
      settings.runtime === 'template'
        ? await templateFunctions(settings)
        : await startSourceRuntime({
            tableName: settings.tableName,
            dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!,
            region: process.env.AWS_REGION!,
            timeScale: loadWebhookConfig().retryScale,
            authorizerCacheTtlSeconds: settings.authorizerCacheTtlSeconds,
            kmsKeyFile: await webhookSecretsKeyFile(settings),
            s3Directory: settings.dataDir === 'memory' ? undefined : join(settings.dataDir, 's3'),
          });
    stopFunctions = runtime.stop;
    handleApiRequest = createHttpApiEmulator({
      routes: runtime.routes,
      functions: runtime.functions,
      authorizer: runtime.authorizer as never,
      authorizerCacheTtlSeconds: runtime.authorizerCacheTtlSeconds,
      functionTimeoutsMs: runtime.functionTimeoutsMs,
      onRequest: ({ method, path, status, ms }) => console.log(`${method} ${path} → ${status} (${ms} ms)`),
    });
    stopEventSources = await runtime.startEventSources((line) => console.log(line));
    ready = true;
    console.log(await banner({ settings, baseUrl, seed, devIssuer, table, dynamo }));
  } catch (error) {
    console.error(`npm start: ${describeStartupError(error, settings)}`);
    await shutdown(1);
  }
}

/** What deploys: the template synthesized with context that mirrors the local settings, its bundles in their own processes, its IAM enforced. */
async function templateFunctions(settings: Settings): Promise<LocalRuntime> {
  const templateDir = await localTemplateDir({
    templateDir: settings.templateDir,
    templateCacheDir: settings.templateCacheDir,
    dataDir: settings.dataDir,
    context: localTemplateContext(process.env),
    log: (line) => console.log(line),
  });
  const passed = localFunctionSettings(process.env);
  return startTemplateRuntime({
    templateFile: join(templateDir, `${STACK_NAME}.template.json`),
    tableName: settings.tableName,
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!,
    authEnvironment: passed.auth,
    runtimeEnvironment: passed.runtime,
    timeScale: loadWebhookConfig().retryScale,
    region: process.env.AWS_REGION!,
    kmsKeyFile: await webhookSecretsKeyFile(settings),
    s3Directory: settings.dataDir === 'memory' ? undefined : join(settings.dataDir, 's3'),
    maxEnvironmentsPerFunction: settings.functionConcurrency,
    prewarm: settings.warmContainers === 'EAGER',
  });
}

/** Where the local KMS keeps the key of the webhook secrets: the data directory (none when the data is in memory). */
async function webhookSecretsKeyFile(settings: Settings): Promise<string | undefined> {
  if (settings.dataDir === 'memory') return undefined;
  await mkdir(settings.dataDir, { recursive: true });
  return join(settings.dataDir, 'webhook-secrets.key');
}

async function readSeedFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new StartupError(`cannot read the seed file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Set SEED_FILE to a readable JSON file.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StartupError(`the seed file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function listen(server: Server, settings: Settings): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new StartupError(`port ${settings.port} on ${settings.host} is already in use: stop the other server or run PORT=${settings.port + 1} npm start.`));
      else reject(error);
    });
    server.listen(settings.port, settings.host, () => resolvePort((server.address() as { port: number }).port));
  });
}

function describeStartupError(error: unknown, settings: Settings): string {
  if (error instanceof StartupError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'SeedError') return `${message}\n(seed file: ${settings.seedFile})`;
  return message;
}

async function banner(options: { settings: Settings; baseUrl: string; seed: unknown; devIssuer?: DevIssuer; table: string; dynamo?: DynamoDbLocal }) {
  const { settings, baseUrl, devIssuer } = options;
  const seed = options.seed as Seed;
  const members = seed.members ?? [];
  const owner = members.find((m) => m.role === 'owner' && (m.status ?? 'active') === 'active');
  const target = members.find((m) => m.workspace_id === owner?.workspace_id && m.user_id !== owner?.user_id && m.role !== 'project_viewer') ?? owner;
  const contract = (seed.contracts ?? []).find((c) => c.user_id === target?.user_id && c.workspace_id === target?.workspace_id && (c.status ?? 'active') === 'active');
  const apiKey = (seed.api_keys ?? []).find((k) => k.scopes.includes('write') || k.scopes.includes('admin'));
  const token = devIssuer && owner ? await devIssuer.sign({ userId: owner.user_id, ttlSeconds: 3600 }) : undefined;
  const credential = apiKey?.key ?? token;
  const lines = [
    '',
    `Time Tracking API ready at ${baseUrl}`,
    `  DynamoDB: ${options.dynamo ? options.dynamo.endpoint : settings.dynamodbEndpoint} (table ${settings.tableName}, ${options.table === 'created' ? 'created' : 'existing'}; data: ${settings.dataDir === 'memory' ? 'in memory' : settings.dataDir})`,
    `  Reference: ${baseUrl}/docs   OpenAPI: ${baseUrl}/openapi.json   Health: ${baseUrl}/health`,
    '',
    'Users:',
    ...members.map((m) => `  ${String(m.user_id).padEnd(6)} ${(m.name ?? '').padEnd(16)} ${m.role}${(m.status ?? 'active') === 'active' ? '' : ' (inactive)'}  workspace ${m.workspace_id}`),
  ];
  if (apiKey) lines.push('', `API key of user ${apiKey.user_id} (${apiKey.scopes.join(' ')}), from the seed file:`, `  ${apiKey.key}`);
  if (token && owner) lines.push('', `Access token of user ${owner.user_id} (read write, 1 hour; more with: npm run token -- --user ${owner.user_id}):`, `  ${token}`);
  if (!devIssuer) lines.push('', `Tokens: from your issuer (${process.env.AUTH_ISSUER}).`);
  if (credential && owner && target) {
    const body = JSON.stringify({ workspace_id: owner.workspace_id, user_id: target.user_id, ...(contract ? { contract_id: contract.id } : {}), activity_description: 'Trying the API' });
    lines.push(
      '',
      `Start a tracker for user ${target.user_id}:`,
      `  curl -s -X POST ${baseUrl}/time-tracking/start -H "Authorization: Bearer ${credential}" -H "Content-Type: application/json" -d '${body}'`,
    );
  }
  lines.push('', 'Ctrl-C stops the server and DynamoDB Local.', '');
  return lines.join('\n');
}

await main();
