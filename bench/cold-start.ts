import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import { Template } from 'aws-cdk-lib/assertions';
import { readStackConfig } from '../infra/stack-config.ts';
import { TimeTrackingStack } from '../infra/time-tracking-stack.ts';
import { median, round } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Cold start as Lambda pays it, on this machine: each function bundled exactly as the CDK
 * stack bundles it (the same synth, the same esbuild options), then imported by a fresh
 * Node process with the environment the function gets, against an empty module measured
 * in the same run, interleaved. Time is the whole process: start, load, evaluate.
 */
export function measureColdStart(options: { runs: number }) {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-cdk-'));
  const context = {
    jwksUrl: 'https://issuer.example.com/.well-known/jwks.json',
    jwtIssuer: 'https://issuer.example.com/',
    jwtAudience: 'time-tracking-api',
    'aws:cdk:enable-asset-metadata': true,
  };
  const app = new App({ outdir, context });
  const stack = new TimeTrackingStack(app, 'TimeTrackingApi', readStackConfig((key) => app.node.tryGetContext(key)));
  const template = Template.fromStack(stack);
  app.synth();

  const empty = join(outdir, 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => ({});\n');
  // The floor: nothing but the DynamoDB document client, bundled the same way.
  const sdkOnly = join(outdir, 'sdk-only.mjs');
  buildSync({
    stdin: {
      contents: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'; export const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));",
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    outfile: sdkOnly,
    logLevel: 'error',
  });
  const functions = Object.entries(template.findResources('AWS::Lambda::Function')).map(([logicalId, fn]) => {
    // "StartTimeTrackingFunction9C134589" → "start-time-tracking"
    const name = /^(\w+?)Function[0-9A-F]{8}$/.exec(logicalId)![1]!.replace(/[A-Z]/g, (letter, offset: number) => `${offset === 0 ? '' : '-'}${letter.toLowerCase()}`);
    const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
    // Values CloudFormation would resolve (the table name) become plain strings here.
    const environment = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, typeof value === 'string' ? value : 'bench-table']));
    return { name, bundle: join(outdir, String(fn.Metadata['aws:asset:path']), 'index.mjs'), environment };
  });

  const importOnce = (file: string, environment: Record<string, string>) => {
    const { NODE_OPTIONS, ...rest } = environment;
    const started = performance.now();
    const result = spawnSync(process.execPath, [...(NODE_OPTIONS ? NODE_OPTIONS.split(' ') : []), '--input-type=module', '-e', `await import(${JSON.stringify(file)});`], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...rest },
      encoding: 'utf8',
    });
    const elapsed = performance.now() - started;
    if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
    return elapsed;
  };

  const emptyTimes: number[] = [];
  const sdkTimes: number[] = [];
  const times = new Map(functions.map((fn) => [fn.name, [] as number[]]));
  importOnce(empty, {});
  for (let run = 0; run < options.runs; run++) {
    emptyTimes.push(importOnce(empty, {}));
    sdkTimes.push(importOnce(sdkOnly, {}));
    for (const fn of functions) times.get(fn.name)!.push(importOnce(fn.bundle, fn.environment));
  }
  const emptyMs = median(emptyTimes);
  return {
    runs: options.runs,
    empty_import_ms: round(emptyMs, 1),
    sdk_only: { bundle_bytes: statSync(sdkOnly).size, import_ms: round(median(sdkTimes), 1), ratio_to_empty: round(median(sdkTimes) / emptyMs) },
    functions: Object.fromEntries(
      functions.map((fn) => {
        const importMs = median(times.get(fn.name)!);
        return [fn.name, { bundle_bytes: statSync(fn.bundle).size, import_ms: round(importMs, 1), ratio_to_empty: round(importMs / emptyMs) }];
      }),
    ),
    source_maps: readFileSync(functions[0]!.bundle + '.map', 'utf8').length > 0,
  };
}
