import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { putItems } from '../admin/table-admin.ts';
import { seedToItems } from '../admin/seed.ts';
import { startFunctionHost } from '../local/lambda/function-host.ts';
import { localTemplateContext, localTemplateDir } from '../local/template/template-runtime.ts';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { bundleAsShipped } from './cold-start.ts';
import { lambdaContext, lambdaEvent } from './lambda-events.ts';
import { percentile, round } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * What the function host (aws-lambda-ric and the local Runtime API) costs:
 * - warm: the current-tracker bundle, built as shipped, called in this process and through
 *   the host, interleaved on the same event against the same DynamoDB Local; the added p50;
 * - cold `npm run invoke` of the start function: from the command to its answer on stdout,
 *   on a running DynamoDB (DYNAMODB_ENDPOINT) and with a DynamoDB Local of its own.
 */
export async function measureFunctionHost(options: { endpoint: string; tableName: string; pairs: number; coldRuns: number; log: (line: string) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-host-'));
  try {
    const taskRoot = join(dir, 'current-tracker');
    mkdirSync(taskRoot);
    bundleAsShipped(taskRoot, 'index', join(ROOT, 'functions', 'current-tracker', 'handler.ts'));
    writeFileSync(join(taskRoot, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    const environment = Object.fromEntries(
      ['TABLE_NAME', 'DYNAMODB_ENDPOINT', 'AWS_REGION', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_DISABLED', 'RATE_LIMIT_PER_MINUTE', 'AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'].flatMap(
        (name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]]),
      ),
    );
    const inProcess = createRequire(import.meta.url)(join(taskRoot, 'index.js')).handler as (event: unknown, context: unknown) => Promise<{ statusCode: number }>;
    const host = startFunctionHost({
      name: 'CurrentTrackerFunction',
      taskRoot,
      handler: 'index.handler',
      memorySizeMb: 512,
      timeoutSeconds: 10,
      region: 'us-east-1',
      environment: { ...environment, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
      maxEnvironments: 1,
      output: 'stderr',
    });
    const event = () => lambdaEvent('GET', '/time-tracking/current-data', 1, { query: { workspace_id: '1', user_id: '2' } });
    const inProcessMs: number[] = [];
    const hostMs: number[] = [];
    try {
      for (let pair = -20; pair < options.pairs; pair++) {
        const calls = [
          async () => {
            const began = performance.now();
            const answer = await inProcess(event(), lambdaContext());
            if (answer.statusCode !== 200) throw new Error(`in process: ${answer.statusCode}`);
            return performance.now() - began;
          },
          async () => {
            const began = performance.now();
            const { outcome } = await host.invoke(event());
            if (outcome.kind !== 'response' || JSON.parse(outcome.payload).statusCode !== 200) throw new Error(`through the host: ${outcome.payload}`);
            return performance.now() - began;
          },
        ];
        // Alternate which goes first, so that neither always runs on the other's warm caches.
        const [first, second] = pair % 2 === 0 ? [0, 1] : [1, 0];
        const times: number[] = [];
        times[first!] = await calls[first!]!();
        times[second!] = await calls[second!]!();
        if (pair >= 0) {
          inProcessMs.push(times[0]!);
          hostMs.push(times[1]!);
        }
      }
    } finally {
      await host.stop();
    }
    const warm = {
      in_process_p50_ms: round(percentile(inProcessMs, 50)),
      host_p50_ms: round(percentile(hostMs, 50)),
      added_p50_ms: round(percentile(hostMs, 50) - percentile(inProcessMs, 50)),
      pairs: options.pairs,
    };
    options.log(`  warm current-tracker: in process p50 ${warm.in_process_p50_ms} ms, through the host ${warm.host_p50_ms} ms: +${warm.added_p50_ms} ms`);

    // The cold invocation: a template synthesized beforehand (as after a first `npm run invoke`), users to start.
    const templateDir = await localTemplateDir({ templateCacheDir: join(dir, 'templates'), dataDir: 'memory', context: localTemplateContext({ RATE_LIMIT_PER_MINUTE: '0' }), log: options.log });
    const client = createDocumentClient({ tableName: options.tableName, region: 'us-east-1', endpoint: options.endpoint });
    await putItems(client, options.tableName, seedToItems({ members: Array.from({ length: options.coldRuns }, (_, n) => ({ workspace_id: 1, user_id: 100 + n, role: 'regular_user' as const })) }));
    client.destroy();
    const cold = { running_dynamodb_ms: [] as number[], own_dynamodb_local_ms: [] as number[] };
    let user = 100;
    for (let run = 0; run < options.coldRuns; run++) {
      for (const mode of ['running_dynamodb_ms', 'own_dynamodb_local_ms'] as const) {
        // On the bench's table, a user of its own each time; on a DynamoDB Local of its own (new, with the demo seed), the events/ fixture.
        const eventFile = mode === 'running_dynamodb_ms' ? join(dir, `start-${user}.json`) : join(ROOT, 'events', 'start-time-tracking.json');
        if (mode === 'running_dynamodb_ms') writeFileSync(eventFile, JSON.stringify(lambdaEvent('POST', '/time-tracking/start', 1, { body: { workspace_id: 1, user_id: user++ } })));
        const env = {
          ...process.env,
          TEMPLATE_DIR: templateDir,
          DATA_DIR: 'memory',
          ...(mode === 'running_dynamodb_ms' ? { DYNAMODB_ENDPOINT: options.endpoint } : { DYNAMODB_ENDPOINT: '', TABLE_NAME: 'time-tracking-local' }),
        };
        cold[mode].push(await timeToAnswer(['run', '-s', 'invoke', '--', 'start-time-tracking', eventFile], env, 200));
      }
    }
    const coldSummary = {
      runs: options.coldRuns,
      running_dynamodb_p50_ms: round(percentile(cold.running_dynamodb_ms, 50), 0),
      own_dynamodb_local_p50_ms: round(percentile(cold.own_dynamodb_local_ms, 50), 0),
      own_dynamodb_local_max_ms: round(Math.max(...cold.own_dynamodb_local_ms), 0),
    };
    options.log(
      `  cold npm run invoke of start-time-tracking: ${coldSummary.running_dynamodb_p50_ms} ms on a running DynamoDB, ${coldSummary.own_dynamodb_local_p50_ms} ms with its own DynamoDB Local (p50 of ${options.coldRuns})`,
    );
    return { warm, cold: coldSummary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** From spawning `npm <args>` to the first byte of its stdout (the answer); checks the answer's status when given. */
async function timeToAnswer(args: string[], env: NodeJS.ProcessEnv, expectedStatus: number | undefined): Promise<number> {
  const began = performance.now();
  const child = spawn('npm', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let answeredAt: number | undefined;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    answeredAt ??= performance.now();
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || answeredAt === undefined) throw new Error(`npm run invoke exited ${code}:\n${stderr.slice(-2000)}`);
  if (expectedStatus !== undefined && JSON.parse(stdout).statusCode !== expectedStatus) throw new Error(`npm run invoke answered ${stdout.slice(0, 500)}`);
  return answeredAt - began;
}
