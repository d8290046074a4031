/**
 * `npm run invoke -- <LogicalIdOrFunctionName> [event.json]`: what `sam local invoke` does,
 * without Docker. Synthesizes the stack when needed, runs that one function of the template
 * once on the event (the file, or stdin) under AWS's runtime interface client, with its
 * environment, its IAM role enforced and its timeout, and prints the function's logs and
 * Lambda's START/END/REPORT lines to stderr and its answer to stdout.
 *
 * It reaches DynamoDB as `npm start` does: DYNAMODB_ENDPOINT; else the DynamoDB Local of an
 * `npm start` running on the same DATA_DIR (never a second JVM on its files); else a DynamoDB
 * Local of its own on DATA_DIR (its table created and seeded the first time). Exit status: 0 for an answer, 1 for a
 * function error (the error document is still printed), 2 when it cannot run.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTable } from '../admin/table-admin.ts';
import { functionConstructId } from '../infra/construct-ids.ts';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { DEV_AUDIENCE, DEV_ISSUER } from './dev-issuer.ts';
import { RuntimeClientMissingError } from './lambda/function-host.ts';
import { freePort, runningDynamoDb, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb/dynamodb-local.ts';
import { readTemplateApi, TemplateError, type Template } from './template/template-model.ts';
import { localFunctionSettings, localTemplateContext, localTemplateDir, STACK_NAME, startTemplateRuntime, type TemplateRuntime } from './template/template-runtime.ts';

const DEFAULT_SEED = fileURLToPath(new URL('./demo-seed.json', import.meta.url));
const USAGE = 'Usage: npm run invoke -- <LogicalIdOrFunctionName> [event.json]   (the event from stdin when no file is given)';

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [name, eventFile, ...extra] = argv;
  if (!name || name === '--help' || name === '-h' || extra.length > 0) throw new UsageError(USAGE);
  const env = process.env;
  const region = env.AWS_REGION || 'us-east-1';
  const tableName = env.TABLE_NAME || 'time-tracking-local';
  const dataDir = env.DATA_DIR === 'memory' ? 'memory' : resolve(env.DATA_DIR || '.data');
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const event = await readEvent(eventFile);
  const templateDir = await localTemplateDir({
    templateDir: env.TEMPLATE_DIR ? resolve(env.TEMPLATE_DIR) : undefined,
    templateCacheDir: env.TEMPLATE_CACHE_DIR ? resolve(env.TEMPLATE_CACHE_DIR) : undefined,
    dataDir,
    context: localTemplateContext(env),
    log,
  });
  const templateFile = join(templateDir, `${STACK_NAME}.template.json`);
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as Template;
  const logicalId = functionLogicalId(template, readTemplateApi(template, templateDir).functions.keys(), name);

  let dynamo: DynamoDbLocal | undefined;
  let runtime: TemplateRuntime | undefined;
  try {
    // DynamoDB Local (a JVM) takes longest to start: its port is chosen first, and the function's environment starts meanwhile.
    const reached = env.DYNAMODB_ENDPOINT || (dataDir === 'memory' ? undefined : await runningDynamoDb(dataDir));
    const port = reached ? undefined : await freePort();
    const endpoint = reached || `http://127.0.0.1:${port}`;
    const tableReady = (async () => {
      if (port !== undefined) {
        const dbPath = dataDir === 'memory' ? undefined : join(dataDir, 'dynamodb');
        if (dbPath) await mkdir(dbPath, { recursive: true });
        dynamo = await startDynamoDbLocal({ dbPath, port });
      }
      const client = createDocumentClient({ tableName, region, endpoint });
      try {
        if ((await ensureTable(client, tableName)) === 'created')
          await (await import('../admin/seed-loader.ts')).loadSeed(client, tableName, JSON.parse(await readFile(resolve(env.SEED_FILE || DEFAULT_SEED), 'utf8')), { endpoint });
      } finally {
        client.destroy();
      }
    })();
    const passed = localFunctionSettings(env);
    const functionReady = (async () => {
      runtime = await startTemplateRuntime({
        templateFile,
        tableName,
        dynamodbEndpoint: endpoint,
        // Tokens from the issuer `npm start` serves (its JWKS on PORT), unless AUTH_* name another.
        authEnvironment: env.AUTH_JWKS_URL ? passed.auth : { AUTH_JWKS_URL: `http://127.0.0.1:${env.PORT || '3000'}/.well-known/jwks.json`, AUTH_ISSUER: DEV_ISSUER, AUTH_AUDIENCE: DEV_AUDIENCE },
        runtimeEnvironment: { WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true', ...passed.runtime },
        timeScale: 1,
        region,
        kmsKeyFile: dataDir === 'memory' ? undefined : join(dataDir, 'webhook-secrets.key'),
        maxEnvironmentsPerFunction: 1,
        only: logicalId,
        prewarm: false,
        functionOutput: 'stderr',
        platformLog: (_, line) => log(line),
      });
      // Its init (still reported on the invocation); one that fails is tried again by the invocation, which answers with the init error.
      await runtime.hosts[logicalId]!.prewarm().catch(() => {});
    })();
    const [table, fn] = await Promise.allSettled([tableReady, functionReady]);
    for (const settled of [table, fn]) if (settled.status === 'rejected') throw settled.reason;
    const { outcome } = await runtime!.hosts[logicalId]!.invoke(event);
    process.stdout.write(`${outcome.payload}\n`);
    return outcome.kind === 'response' ? 0 : 1;
  } finally {
    await runtime?.stop();
    await dynamo?.stop();
  }
}

/** The event: the file's JSON, or stdin's. */
async function readEvent(file: string | undefined): Promise<unknown> {
  let text: string;
  if (file) {
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the event file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  } else {
    if (process.stdin.isTTY) process.stderr.write('Reading the event from stdin (end it with Ctrl-D)…\n');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the event ${file ?? 'from stdin'} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * The function `name` designates: its logical id (StartTimeTrackingFunction9C134589), that id
 * without CDK's hash (StartTimeTrackingFunction), its folder under functions/ (start-time-tracking),
 * or its construct path (TimeTrackingApi/StartTimeTrackingFunction), as sam local reads it.
 */
function functionLogicalId(template: Template, invoked: Iterable<string>, name: string): string {
  const candidates = [...invoked];
  const constructPath = (id: string) => String(template.Resources[id]?.Metadata?.['aws:cdk:path'] ?? '').replace(/\/Resource$/, '');
  const found =
    candidates.find((id) => id === name) ??
    candidates.find((id) => id.replace(/[0-9A-F]{8}$/, '') === name) ??
    // The function's folder (functions/start-time-tracking), as the stack names its construct.
    candidates.find((id) => id.replace(/[0-9A-F]{8}$/, '') === functionConstructId(name)) ??
    candidates.find((id) => constructPath(id) === name || constructPath(id).split('/').at(-1) === name);
  if (found) return found;
  const names = candidates.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort();
  throw new UsageError(`no function "${name}" in the template. Its functions:\n  ${names.join('\n  ')}`);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const known = error instanceof UsageError || error instanceof TemplateError || error instanceof RuntimeClientMissingError || (error as Error)?.name === 'DynamoDbLocalError';
  process.stderr.write(`npm run invoke: ${known ? (error as Error).message : ((error as Error)?.stack ?? String(error))}\n`);
  process.exitCode = 2;
}
